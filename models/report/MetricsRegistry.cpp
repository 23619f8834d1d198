// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsRegistry.h"

#include <QSysInfo>

#include <algorithm>

namespace sd {

void MetricsRegistry::setConfig(const AppConfig& config, const QString& location)
{
    m_location = location;
    QHash<QString, const CredentialConfig*> credentials;
    for (const CredentialConfig& c : config.credentials)
        credentials.insert(c.id, &c);

    std::map<QString, Endpoint> next;
    for (const EndpointConfig& e : config.endpoints) {
        auto old = m_endpoints.find(e.name);
        Endpoint endpoint = old != m_endpoints.end() ? std::move(old->second) : Endpoint {};
        endpoint.name = e.name;
        endpoint.url = e.url.toString(QUrl::RemoveUserInfo);
        QStringList tags = e.tags;
        tags.sort();
        endpoint.tags = tags.join(u',');
        endpoint.credential = e.credential;
        const CredentialConfig* credential = credentials.value(e.credential);
        endpoint.credentialExpires = credential != nullptr ? credential->expires : QDateTime();
        next.emplace(e.name, std::move(endpoint));
    }
    m_endpoints = std::move(next);
}

void MetricsRegistry::addBatch(const EngineBatch& batch)
{
    for (const ProbeResult& r : batch.results) {
        auto it = m_endpoints.find(r.endpoint);
        if (it == m_endpoints.end())
            continue;
        Endpoint& e = it->second;
        const auto outcome = static_cast<std::size_t>(r.outcome);
        const auto signal = static_cast<std::size_t>(r.signal);
        if (outcome < e.probes.size() && signal < e.probes[outcome].size())
            ++e.probes[outcome][signal];
        e.attempts += static_cast<quint64>(std::max(r.attempts, 0));
        const double seconds = static_cast<double>(r.latencyUs) / 1e6;
        const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
        if (bucket != kLatencyBuckets.end())
            ++e.bucketCounts[static_cast<std::size_t>(bucket - kLatencyBuckets.begin())];
        ++e.latencyCount;
        e.latencySumSeconds += seconds;
        e.last = r;
        if (r.tls.present && r.tls.earliestExpiresAt.isValid())
            e.certExpires = r.tls.earliestExpiresAt;
    }
    for (const EndpointStatus& s : batch.statuses) {
        auto it = m_endpoints.find(s.name);
        if (it != m_endpoints.end())
            it->second.status = s;
    }
}

QString effectiveLocation(const AppConfig& config)
{
    return config.location.isEmpty() ? QSysInfo::machineHostName() : config.location;
}

bool MetricsRegistry::allProbedOnce() const
{
    return std::all_of(m_endpoints.begin(), m_endpoints.end(), [](const auto& entry) {
        const Endpoint& e = entry.second;
        return e.last.has_value() || (e.status && !e.status->pausedBecause.isEmpty());
    });
}

} // namespace sd
