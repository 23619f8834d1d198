// SPDX-License-Identifier: GPL-3.0-or-later
#include "HistoryRecording.h"

#include "history/HistoryStore.h"
#include "schedule/Engine.h"

namespace sd {

void recordHistory(Engine& engine, HistoryStore& history)
{
    QObject::connect(
        &engine, &Engine::batchReady, &history,
        [&history](const EngineBatch& batch) {
            if (!batch.results.isEmpty())
                history.append(batch.results);
        },
        Qt::DirectConnection);
}

} // namespace sd
