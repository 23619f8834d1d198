// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A small QNetworkAccessManager client for the simulator tests: issue requests, wait for them on the event
// loop (the simulator under test usually shares the thread), and keep what a prober would see.

#include <QElapsedTimer>
#include <QEventLoop>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace sd::test {

struct FetchRequest {
    QNetworkAccessManager* nam = nullptr;
    QUrl url;
    QByteArray method = QByteArrayLiteral("GET");
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    int transferTimeoutMs = 5'000; ///< Qt's inactivity timer: ends with OperationCanceledError
};

struct Fetched {
    bool finished = false;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    int status = 0; ///< 0 = no HTTP status received
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    double elapsedMs = 0; ///< from issuing the request to QNetworkReply::finished

    QByteArray header(QByteArrayView name) const
    {
        for (const auto& [key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

inline FetchRequest getRequest(QNetworkAccessManager& nam, const QUrl& url, int transferTimeoutMs = 5'000)
{
    FetchRequest request;
    request.nam = &nam;
    request.url = url;
    request.transferTimeoutMs = transferTimeoutMs;
    return request;
}

inline FetchRequest postRequest(QNetworkAccessManager& nam, const QUrl& url, const QByteArray& body)
{
    FetchRequest request = getRequest(nam, url);
    request.method = QByteArrayLiteral("POST");
    request.body = body;
    return request;
}

/// Requests issued together; wait() runs the event loop until all have finished.
class FetchBatch {
public:
    explicit FetchBatch(const QList<FetchRequest>& requests)
        : m_state(std::make_shared<State>())
    {
        m_state->results.resize(requests.size());
        for (qsizetype i = 0; i < requests.size(); ++i)
            issue(requests[i], i);
    }
    ~FetchBatch()
    {
        for (QNetworkReply* reply : std::as_const(m_replies)) {
            if (!reply->isFinished())
                reply->abort();
            reply->deleteLater();
        }
    }
    FetchBatch(const FetchBatch&) = delete;
    FetchBatch& operator=(const FetchBatch&) = delete;

    /// Runs an event loop until every reply has finished; false on timeout. (Not QTest::qWaitFor: it sleeps
    /// between rounds, and a simulator in this thread could not answer while it sleeps.)
    bool wait(int waitMs = 15'000)
    {
        if (!allDone()) {
            QEventLoop loop;
            m_state->loop = &loop;
            QTimer::singleShot(waitMs, &loop, &QEventLoop::quit);
            loop.exec();
            m_state->loop = nullptr;
        }
        return allDone();
    }
    const QList<Fetched>& results() const { return m_state->results; }

private:
    void issue(const FetchRequest& r, qsizetype index)
    {
        QNetworkRequest request(r.url);
        request.setTransferTimeout(r.transferTimeoutMs);
        for (const auto& [name, value] : r.headers)
            request.setRawHeader(name, value);
        if (!r.body.isEmpty() && !request.hasRawHeader("Content-Type"))
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QElapsedTimer timer;
        timer.start();
        QNetworkReply* reply = nullptr;
        if (r.method == "HEAD")
            reply = r.nam->head(request); // a custom "HEAD" would wait for a body
        else if (r.method == "GET" && r.body.isEmpty())
            reply = r.nam->get(request);
        else
            reply = r.nam->sendCustomRequest(request, r.method, r.body);
        m_replies.append(reply);
        QObject::connect(reply, &QNetworkReply::finished, reply, [reply, timer, index, state = m_state] {
            Fetched& f = state->results[index];
            f.elapsedMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            f.finished = true;
            f.error = reply->error();
            f.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->isOpen())
                f.body = reply->readAll();
            f.headers = reply->rawHeaderPairs();
            if (++state->done == state->results.size() && state->loop)
                state->loop->quit();
        });
    }

    struct State {
        QList<Fetched> results;
        qsizetype done = 0;
        QEventLoop* loop = nullptr;
    };
    bool allDone() const { return m_state->done == m_state->results.size(); }

    std::shared_ptr<State> m_state;
    QList<QNetworkReply*> m_replies;
};

/// Issues every request at once and waits until all have finished (or `waitMs` passed).
inline QList<Fetched> fetchAll(const QList<FetchRequest>& requests, int waitMs = 15'000)
{
    FetchBatch batch(requests);
    batch.wait(waitMs);
    return batch.results();
}

inline Fetched fetch(FetchRequest request, int waitMs = 15'000)
{
    return fetchAll({ std::move(request) }, waitMs).first();
}

inline Fetched fetch(QNetworkAccessManager& nam, const QUrl& url, int transferTimeoutMs = 5'000)
{
    return fetch(getRequest(nam, url, transferTimeoutMs));
}

} // namespace sd::test
