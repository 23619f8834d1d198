// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/FailureSignal.h"
#include "core/ProbeResult.h"
#include "core/Redaction.h"

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>

namespace sd {

class ProbeTransport;

/// How one endpoint answered a candidate secret.
struct EndpointVerification {
    QString endpoint;
    QString url; ///< without credentials
    int httpStatus = 0; ///< 0 = no HTTP answer
    Outcome outcome = Outcome::Ok;
    FailureSignal signal = FailureSignal::None;
    QString reason;
    qint64 latencyUs = 0;
};

/// The verdict on a candidate secret, from probing every endpoint that uses the credential with it.
struct CredentialVerification {
    QString credential;
    QList<EndpointVerification> endpoints;
    bool passed = false;
    QString summary; ///< "passed: accepted by 2 of 2 endpoints", "failed: refused by chat (401 …)"
};

/// Pure: passed unless some endpoint refused the secret (S2), or none gave an HTTP answer at all (then
/// nothing was verified). A credential no endpoint uses passes with nothing to verify.
CredentialVerification judgeVerification(const QString& credential, const QList<EndpointVerification>& endpoints);

/// Probes every endpoint that uses a credential once with a candidate secret, through the same transport
/// and classifier as the engine, without retries and without committing anything: the secret is only
/// attached to these one-shot requests (and, on redirects, only sent to the endpoint's own origin).
class CredentialVerifier : public QObject {
    Q_OBJECT
public:
    explicit CredentialVerifier(QObject* parent = nullptr);
    ~CredentialVerifier() override;

    /// Starts a verification; false (and nothing happens) while one is under way. `finished` follows.
    bool verify(const AppConfig& config, const QString& credentialId, const QByteArray& candidate);
    bool busy() const { return m_busy; }

signals:
    void finished(const sd::CredentialVerification& verification);

private:
    void onAttemptFinished(quint64 ticket, const ProbeFacts& facts);
    void finishIfDone();

    ProbeTransport* m_transport;
    bool m_busy = false;
    QString m_credential;
    KnownSecrets m_candidate; ///< cut out of every answer before it is judged or printed
    QList<EndpointConfig> m_endpoints;
    QList<EndpointVerification> m_results;
    int m_pending = 0;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::CredentialVerification)
