// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialStoreWait.h"

#include <QEventLoop>

namespace sd {

namespace {

template <typename Start> CredentialReply runAndWait(Start start)
{
    QEventLoop loop;
    CredentialReply result;
    bool done = false;
    start(&loop, [&](const CredentialReply& reply) {
        result = reply;
        done = true;
        loop.quit();
    });
    if (!done)
        loop.exec();
    return result;
}

} // namespace

CredentialReply readAndWait(CredentialStore& store, const QString& key)
{
    return runAndWait(
        [&](QObject* context, CredentialStore::Callback done) { store.read(key, context, std::move(done)); });
}

CredentialReply writeAndWait(CredentialStore& store, const QString& key, const QByteArray& secret)
{
    return runAndWait(
        [&](QObject* context, CredentialStore::Callback done) { store.write(key, secret, context, std::move(done)); });
}

CredentialReply removeAndWait(CredentialStore& store, const QString& key)
{
    return runAndWait(
        [&](QObject* context, CredentialStore::Callback done) { store.remove(key, context, std::move(done)); });
}

} // namespace sd
