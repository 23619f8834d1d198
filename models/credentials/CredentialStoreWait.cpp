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
    return runAndWait([&](QObject* context, CredentialStore::Callback done) { store.read(key, context, done); });
}

CredentialReply writeAndWait(CredentialStore& store, const QString& key, const QByteArray& secret)
{
    return runAndWait(
        [&](QObject* context, CredentialStore::Callback done) { store.write(key, secret, context, done); });
}

CredentialReply removeAndWait(CredentialStore& store, const QString& key)
{
    return runAndWait([&](QObject* context, CredentialStore::Callback done) { store.remove(key, context, done); });
}

} // namespace sd
