// SPDX-License-Identifier: GPL-3.0-or-later
#include "controller/HistoryRecording.h"

#include "history/HistoryStore.h"
#include "schedule/Engine.h"

namespace sd {

void recordHistory(Engine& engine, HistoryStore& history)
{
    // In the engine thread: the append only copies into the writer's queue, and never waits on the GUI.
    engine.setBatchObserver([&history](const EngineBatch& batch) {
        if (!batch.results.isEmpty())
            history.append(batch.results);
    });
}

} // namespace sd
