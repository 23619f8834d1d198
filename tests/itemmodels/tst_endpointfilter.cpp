// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EndpointFilter.h"
#include "itemmodels/ModelFixtures.h"

#include <QTest>

using namespace sd;
using namespace sd::fixtures;

class TestEndpointFilter : public QObject {
    Q_OBJECT

private slots:
    void accepts_data();
    void accepts();
    void isEmpty_data();
    void isEmpty();
};

namespace {

/// The endpoint every row judges: "chat-completions" on api.example.com, tagged prod and llm, with
/// S1..S4 states spelled as in ModelFixtures (o, w, c, -).
EndpointFilterFacts chatEndpoint(QStringView states)
{
    EndpointFilterFacts f;
    f.searchText = QStringLiteral("chat-completions\napi.example.com\nhttps://api.example.com/v1/chat\nprod\nllm\n"
                                  "http 429: rate limited");
    f.tags = QStringList { QStringLiteral("prod"), QStringLiteral("LLM") };
    for (int i = 0; i < kSignalCount; ++i) {
        f.states[static_cast<std::size_t>(i)] = stateFromChar(states[i]);
        f.overall = worse(f.overall, f.states[static_cast<std::size_t>(i)]);
    }
    return f;
}

constexpr int kNoMinimum = -1;

} // namespace

void TestEndpointFilter::accepts_data()
{
    QTest::addColumn<QString>("states");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<int>("minimumState");
    QTest::addColumn<int>("signal");
    QTest::addColumn<bool>("accepted");

    const int none = int(FailureSignal::None);
    const int warning = int(SignalState::Warning);
    const int critical = int(SignalState::Critical);
    const auto row = [](const char* tag) -> QTestData& { return QTest::newRow(tag); };

    row("empty filter") << "oooo"
                        << ""
                        << "" << kNoMinimum << none << true;
    row("empty filter, unknown endpoint") << "----"
                                          << ""
                                          << "" << kNoMinimum << none << true;
    row("word in name") << "oooo"
                        << "chat"
                        << "" << kNoMinimum << none << true;
    row("word is case-insensitive") << "oooo"
                                    << "CHAT"
                                    << "" << kNoMinimum << none << true;
    row("word in host") << "oooo"
                        << "example.com"
                        << "" << kNoMinimum << none << true;
    row("word in a reason") << "oooc"
                            << "429"
                            << "" << kNoMinimum << none << true;
    row("every word must occur") << "oooo"
                                 << "chat payments"
                                 << "" << kNoMinimum << none << false;
    row("words in any order") << "oooo"
                              << "  llm   chat "
                              << "" << kNoMinimum << none << true;
    row("word absent") << "oooo"
                       << "settlement"
                       << "" << kNoMinimum << none << false;
    row("words do not match across fields") << "oooo"
                                            << "completionsapi"
                                            << "" << kNoMinimum << none << false;
    row("tag: word matches a tag") << "oooo"
                                   << "tag:llm"
                                   << "" << kNoMinimum << none << true;
    row("tag: word is exact") << "oooo"
                              << "tag:ll"
                              << "" << kNoMinimum << none << false;
    row("tag: word with other words") << "oooo"
                                      << "chat tag:prod"
                                      << "" << kNoMinimum << none << true;
    row("tag: word missing tag") << "oooo"
                                 << "tag:staging"
                                 << "" << kNoMinimum << none << false;
    row("bare tag: while typing") << "oooo"
                                  << "tag:"
                                  << "" << kNoMinimum << none << true;
    row("tag filter matches") << "oooo"
                              << ""
                              << "prod" << kNoMinimum << none << true;
    row("tag filter case-insensitive") << "oooo"
                                       << ""
                                       << "llm" << kNoMinimum << none << true;
    row("tag filter misses") << "oooo"
                             << ""
                             << "staging" << kNoMinimum << none << false;
    row("minimum warning, endpoint ok") << "oooo"
                                        << ""
                                        << "" << warning << none << false;
    row("minimum warning, endpoint warning") << "owoo"
                                             << ""
                                             << "" << warning << none << true;
    row("minimum warning, endpoint critical") << "oooc"
                                              << ""
                                              << "" << warning << none << true;
    row("minimum critical, endpoint warning") << "owoo"
                                              << ""
                                              << "" << critical << none << false;
    row("minimum warning, endpoint unknown") << "----"
                                             << ""
                                             << "" << warning << none << false;
    row("signal S1, S1 critical") << "cooo"
                                  << ""
                                  << "" << kNoMinimum << int(FailureSignal::S1) << true;
    row("signal S1, S1 warning") << "wooo"
                                 << ""
                                 << "" << kNoMinimum << int(FailureSignal::S1) << true;
    row("signal S1, only S4 raised") << "oooc"
                                     << ""
                                     << "" << kNoMinimum << int(FailureSignal::S1) << false;
    row("signal S3, unknown") << "----"
                              << ""
                              << "" << kNoMinimum << int(FailureSignal::S3) << false;
    row("all parts hold") << "owoc"
                          << "chat"
                          << "prod" << critical << int(FailureSignal::S2) << true;
    row("one part fails") << "owoc"
                          << "chat"
                          << "staging" << critical << int(FailureSignal::S2) << false;
}

void TestEndpointFilter::accepts()
{
    QFETCH(QString, states);
    QFETCH(QString, text);
    QFETCH(QString, tag);
    QFETCH(int, minimumState);
    QFETCH(int, signal);
    QFETCH(bool, accepted);

    EndpointFilter filter;
    filter.text = text;
    filter.tag = tag;
    if (minimumState != kNoMinimum)
        filter.minimumState = static_cast<SignalState>(minimumState);
    filter.signal = static_cast<FailureSignal>(signal);
    QCOMPARE(filter.accepts(chatEndpoint(states)), accepted);
}

void TestEndpointFilter::isEmpty_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<int>("minimumState");
    QTest::addColumn<int>("signal");
    QTest::addColumn<bool>("empty");
    const int none = int(FailureSignal::None);
    QTest::newRow("default") << ""
                             << "" << kNoMinimum << none << true;
    QTest::newRow("blank text") << "   "
                                << "" << kNoMinimum << none << true;
    QTest::newRow("minimum unknown lets all through") << ""
                                                      << "" << int(SignalState::Unknown) << none << true;
    QTest::newRow("text") << "chat"
                          << "" << kNoMinimum << none << false;
    QTest::newRow("tag") << ""
                         << "prod" << kNoMinimum << none << false;
    QTest::newRow("minimum ok") << ""
                                << "" << int(SignalState::Ok) << none << false;
    QTest::newRow("signal") << ""
                            << "" << kNoMinimum << int(FailureSignal::S4) << false;
}

void TestEndpointFilter::isEmpty()
{
    QFETCH(QString, text);
    QFETCH(QString, tag);
    QFETCH(int, minimumState);
    QFETCH(int, signal);
    QFETCH(bool, empty);
    EndpointFilter filter { text, tag, std::nullopt, static_cast<FailureSignal>(signal) };
    if (minimumState != kNoMinimum)
        filter.minimumState = static_cast<SignalState>(minimumState);
    QCOMPARE(filter.isEmpty(), empty);
}

QTEST_GUILESS_MAIN(TestEndpointFilter)
#include "tst_endpointfilter.moc"
