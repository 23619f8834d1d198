// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The dashboard on the built-in demo (simulator in its own thread, history in a temporary directory), as
// `make run` opens it, for the widget and screenshot tests.
#include "DashboardStart.h"
#include "DemoEnvironment.h"
#include "controller/Controller.h"
#include "itemmodels/EndpointTableModel.h"
#include "ui/MainWindow.h"

#include <QDeadlineTimer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <memory>

struct DemoSession {
    QTemporaryDir dataDir;
    sd::DemoEnvironment demo;
    std::unique_ptr<sd::DashboardSession> session;

    bool start()
    {
        QString error;
        if (!dataDir.isValid() || !demo.start(0, &error)) {
            qWarning("demo did not start: %s", qPrintable(error));
            return false;
        }
        const sd::ConfigParseResult config = demo.config();
        if (!config.ok())
            return false;
        sd::DashboardOptions options;
        options.config = *config.config;
        options.sourceLabel = QStringLiteral("demo");
        options.dataDir = dataDir.path();
        session = std::make_unique<sd::DashboardSession>(options);
        return true;
    }

    /// Probes the endpoint `name` again (Probe now) each time its last probe is back, at most ten times a
    /// second, until `done()` holds, instead of waiting for its interval (5-10 s in the demo). A probe the
    /// engine refuses (one in flight, Retry-After) comes with the interval instead. False when `done()` still
    /// fails after `timeoutMs`.
    bool probeUntil(const QString& name, const std::function<bool()>& done, int timeoutMs = 30'000)
    {
        sd::EndpointTableModel* model = session->window().endpointModel();
        int row = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->endpoint(r).name == name)
                row = r;
        if (row < 0)
            return false;
        const QDeadlineTimer deadline(timeoutMs);
        while (!done()) {
            if (deadline.hasExpired())
                return false;
            const qint64 before = model->status(row).probes;
            session->controller().probeNow(sd::endpointKey(model->endpoint(row)));
            // Back (or refused, then the interval brings it): the loop's condition and deadline decide.
            (void)QTest::qWaitFor([&] { return model->status(row).probes > before || done(); },
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
            (void)QTest::qWaitFor(done, 100); // paced: the history and the charts follow
        }
        return true;
    }
};
