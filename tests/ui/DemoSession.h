// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The dashboard on the built-in demo (simulator in its own thread, history in a temporary directory), as
// `make run` opens it, for the widget and screenshot tests.
#include "DashboardStart.h"
#include "DemoEnvironment.h"

#include <QTemporaryDir>
#include <QTest>

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
};
