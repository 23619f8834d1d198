// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>
class TestSignalTracker : public QObject {
    Q_OBJECT
};
QTEST_GUILESS_MAIN(TestSignalTracker)
#include "tst_signaltracker.moc"
