// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace sd {

class Engine;
class HistoryStore;

/// Every result of `engine` goes into `history`, appended in the engine thread (Engine::setBatchObserver),
/// where the store only copies the batch into its queue (the writer thread does the disk work): a busy GUI
/// never delays it. `history` must outlive `engine`. One wiring for the window, the headless watch and the
/// GUI benchmark.
void recordHistory(Engine& engine, HistoryStore& history);

} // namespace sd
