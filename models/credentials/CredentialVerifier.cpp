// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialVerifier.h"

#include "health/Classifier.h"
#include "health/RequestValidator.h"
#include "probe/CredentialHeader.h"
#include "probe/ProbeTransport.h"

#include <QFile>
#include <QTimer>

namespace sd {

CredentialVerification judgeVerification(const QString& credential, const QList<EndpointVerification>& endpoints)
{
    CredentialVerification v;
    v.credential = credential;
    v.endpoints = endpoints;
    if (endpoints.isEmpty()) {
        v.passed = true;
        v.summary = QStringLiteral("passed: no endpoint uses this credential, nothing to verify");
        return v;
    }
    QStringList refused;
    QStringList other;
    int answered = 0;
    int accepted = 0;
    for (const EndpointVerification& e : endpoints) {
        if (e.httpStatus > 0)
            ++answered;
        if (e.signal == FailureSignal::S2)
            refused.append(e.endpoint + QStringLiteral(" (") + e.reason + u')');
        else if (e.httpStatus > 0)
            ++accepted;
        if (e.signal != FailureSignal::S2 && e.outcome != Outcome::Ok)
            other.append(e.endpoint + QStringLiteral(": ") + e.reason);
    }
    if (!refused.isEmpty()) {
        v.summary = QStringLiteral("failed: refused by ") + refused.join(QStringLiteral(", "));
        return v;
    }
    if (answered == 0) {
        v.summary = QStringLiteral("failed: no endpoint answered, so the secret could not be verified (")
            + other.join(QStringLiteral("; ")) + u')';
        return v;
    }
    v.passed = true;
    v.summary = QStringLiteral("passed: accepted by %1 of %2 endpoints").arg(accepted).arg(endpoints.size());
    if (!other.isEmpty())
        v.summary += QStringLiteral(" (other problems: ") + other.join(QStringLiteral("; ")) + u')';
    return v;
}

CredentialVerifier::CredentialVerifier(QObject* parent)
    : QObject(parent)
    , m_transport(new ProbeTransport(this))
{
    qRegisterMetaType<CredentialVerification>();
    connect(m_transport, &ProbeTransport::finished, this,
        [this](quint64 ticket, const ProbeFacts& facts, const QDateTime&, const QByteArray&) {
            onAttemptFinished(ticket, facts);
        });
}

CredentialVerifier::~CredentialVerifier() = default;

bool CredentialVerifier::verify(const AppConfig& config, const QString& credentialId, const QByteArray& candidate)
{
    if (m_busy)
        return false;
    m_busy = true;
    m_credential = credentialId;
    m_candidate = KnownSecrets({ candidate });
    m_endpoints.clear();
    m_results.clear();
    QString scheme = CredentialConfig {}.scheme;
    QByteArray clientCertificate;
    for (const CredentialConfig& c : config.credentials) {
        if (c.id != credentialId)
            continue;
        scheme = c.scheme;
        if (c.scheme == u"clientCert") {
            // The certificate as the file holds it now: a rotation replaces the file, then the key.
            QFile file(c.certFile);
            if (file.open(QIODevice::ReadOnly))
                clientCertificate = file.read(qint64 { 4 } * 1024 * 1024);
        }
    }
    for (const EndpointConfig& e : config.endpoints) {
        if (e.credential == credentialId)
            m_endpoints.append(e);
    }
    m_results.resize(m_endpoints.size());
    m_pending = static_cast<int>(m_endpoints.size());
    const auto header = credentialHeader(scheme, candidate);
    for (qsizetype i = 0; i < m_endpoints.size(); ++i) {
        const EndpointConfig& e = m_endpoints.at(i);
        EndpointVerification& r = m_results[i];
        r.endpoint = e.name;
        r.url = e.url.toString(QUrl::RemoveUserInfo);
        if (const QString problem = validateRequest(e); !problem.isEmpty()) {
            ProbeFacts facts;
            facts.transportError = TransportError::InvalidRequest;
            facts.transportDetail = problem;
            onAttemptFinished(static_cast<quint64>(i), facts);
            continue;
        }
        ProbeRequest request { static_cast<quint64>(i), e, e.adaptiveTimeout ? e.timeoutMax : e.timeout, {}, {}, {} };
        if (header)
            request.extraHeaders.append(*header);
        if (scheme == u"clientCert") {
            request.clientCertificatePem = clientCertificate;
            request.clientKeyPem = candidate;
        }
        m_transport->start(request);
    }
    // Answer from the event loop even when there was nothing to probe.
    QTimer::singleShot(0, this, &CredentialVerifier::finishIfDone);
    return true;
}

void CredentialVerifier::onAttemptFinished(quint64 ticket, const ProbeFacts& facts)
{
    const auto i = static_cast<qsizetype>(ticket);
    if (!m_busy || i < 0 || i >= m_endpoints.size())
        return;
    // The candidate is a secret like any other: an answer that echoes it must not print it.
    const Classification verdict = classify(m_endpoints.at(i), facts, QDateTime::currentDateTimeUtc(), m_candidate);
    EndpointVerification& r = m_results[i];
    r.httpStatus = facts.httpStatus;
    r.outcome = verdict.outcome;
    r.signal = verdict.signal;
    r.reason = verdict.reason;
    r.latencyUs = facts.latencyUs;
    --m_pending;
    QTimer::singleShot(0, this, &CredentialVerifier::finishIfDone);
}

void CredentialVerifier::finishIfDone()
{
    if (!m_busy || m_pending > 0)
        return;
    m_busy = false;
    emit finished(judgeVerification(m_credential, m_results));
}

} // namespace sd
