// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryStore.h"

#include "history/HistoryConnection.h"
#include "history/HistorySchema.h"
#include "history/HistoryWriter.h"
#include "history/SampleQueue.h"

#include <QDateTime>
#include <QDir>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace sd {

HistoryStore::HistoryStore(HistoryOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    qRegisterMetaType<sd::HistoryError>();
    qRegisterMetaType<sd::MaintenanceReport>();
    qRegisterMetaType<sd::ProbeResults>();
    if (m_options.directory.isEmpty())
        m_options.directory = defaultDirectory();
    m_path = QDir(m_options.directory).absoluteFilePath(m_options.fileName);
    m_queue = std::make_shared<SampleQueue>(m_options.maxPendingSamples);

    m_writer = new HistoryWriter(m_options, m_path, m_queue);
    m_writer->moveToThread(&m_thread);
    connect(m_writer, &HistoryWriter::opened, this, &HistoryStore::opened);
    connect(m_writer, &HistoryWriter::errorOccurred, this, &HistoryStore::errorOccurred);
    connect(m_writer, &HistoryWriter::recovered, this, &HistoryStore::recovered);
    connect(m_writer, &HistoryWriter::databaseReset, this, &HistoryStore::databaseReset);
    connect(m_writer, &HistoryWriter::maintenanceFinished, this, &HistoryStore::maintenanceFinished);
    m_thread.setObjectName(u"signaldeck-history"_s);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_writer, [writer = m_writer] { writer->start(); }, Qt::QueuedConnection);
}

HistoryStore::~HistoryStore()
{
    QMetaObject::invokeMethod(
        m_writer, [writer = m_writer] { writer->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_writer;
}

QString HistoryStore::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString HistoryStore::upgradeOlderSchema(const QString& databasePath)
{
    QString problem;
    {
        HistoryConnection::Settings settings;
        settings.mode = HistoryConnection::Mode::Reader;
        HistoryConnection reader(databasePath, settings);
        if (!reader.open())
            return {};
        const auto version = HistorySchema::storedVersion(reader.database());
        if (!version || *version <= 0 || *version >= HistorySchema::kCurrentVersion)
            return {};
    }
    HistoryConnection writer(databasePath, HistoryConnection::Settings {});
    if (!writer.open())
        return writer.errorText();
    if (const auto failed = HistorySchema::migrate(writer.database(), QDateTime::currentMSecsSinceEpoch()))
        return u"cannot migrate it to schema version %1: %2"_s.arg(HistorySchema::kCurrentVersion).arg(failed->message);
    return {};
}

void HistoryStore::append(const ProbeResults& results)
{
    if (!results.isEmpty())
        m_queue->push(results);
}

bool HistoryStore::flushNow()
{
    bool flushed = false;
    QMetaObject::invokeMethod(
        m_writer, [writer = m_writer] { return writer->flushPending(); }, Qt::BlockingQueuedConnection, &flushed);
    return flushed;
}

MaintenanceReport HistoryStore::runMaintenanceNow(const QDateTime& now)
{
    MaintenanceReport report;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    QMetaObject::invokeMethod(
        m_writer, [writer = m_writer, nowMs] { return writer->runMaintenance(nowMs); }, Qt::BlockingQueuedConnection,
        &report);
    return report;
}

bool HistoryStore::isOpen() const
{
    return m_writer->isOpen();
}

HistoryError HistoryStore::currentError() const
{
    return m_writer->currentError();
}

HistoryError HistoryStore::lastErrorKind() const
{
    return m_writer->lastErrorKind();
}

QString HistoryStore::lastError() const
{
    return m_writer->lastError();
}

qint64 HistoryStore::pendingSamples() const
{
    return m_queue->size();
}

qint64 HistoryStore::droppedSamples() const
{
    return m_queue->dropped();
}

qint64 HistoryStore::storedSamples() const
{
    return m_writer->storedSamples();
}

} // namespace sd
