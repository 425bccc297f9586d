import Foundation

/// Produces numbered blocks of output on every core and consumes them in order on the calling thread.
///
/// Generation splits learners into blocks; each block is simulated and formatted to bytes independently
/// (every learner has its own random stream), and the bytes are written in block order, so the files do not
/// depend on the number of cores. Workers run at most `lookahead` blocks ahead of the writer, which bounds
/// memory. Workers are threads of their own rather than Dispatch or Swift concurrency workers, so waiting on
/// them never starves a thread pool that the caller may be running on.
final class BlockPipeline<Output: Sendable>: @unchecked Sendable {
    // `@unchecked Sendable` is safe: every mutable property is read and written only while holding `condition`.
    private let condition = NSCondition()
    /// The number of blocks.
    private let count: Int
    /// How many blocks workers may finish before the writer takes them.
    private let lookahead: Int
    /// The next block a worker will claim.
    private var nextBlock = 0
    /// The number of blocks the writer has taken.
    private var consumed = 0
    private var isCancelled = false
    private var runningWorkers = 0
    /// Finished blocks not yet taken, by number; looked up by key only, never iterated.
    private var finished: [Int: Output] = [:]

    /// Creates the shared state of a run.
    private init(count: Int, lookahead: Int) {
        self.count = count
        self.lookahead = lookahead
    }

    /// Runs `produce` for blocks `0..<count` in parallel and `consume` on each result in block order.
    ///
    /// - Parameters:
    ///   - count: The number of blocks.
    ///   - workerState: Makes the scratch state of one worker (a simulator, say), reused for its blocks.
    ///   - produce: Makes the output of a block, using the worker's state.
    ///   - consume: Takes the outputs in block order, on the calling thread.
    /// - Throws: The first error `consume` throws, after the workers have stopped.
    /// - Complexity: O(*n*) calls of `produce` and `consume`; at most about `2 × cores` outputs are held at once.
    static func run<State>(
        count: Int,
        workerState: @escaping @Sendable () -> State,
        produce: @escaping @Sendable (inout State, Int) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let pipeline = BlockPipeline(count: count, lookahead: 2 * workers)
        pipeline.runningWorkers = workers
        for _ in 0..<workers {
            Thread {
                var state = workerState()
                pipeline.work { produce(&state, $0) }
            }.start()
        }
        defer { pipeline.cancelAndWait() }
        for block in 0..<count {
            try consume(pipeline.take(block))
        }
    }

    /// Claims and produces blocks until none is left or the run is cancelled.
    private func work(_ produce: (Int) -> Output) {
        while true {
            condition.lock()
            while !isCancelled && nextBlock < count && nextBlock >= consumed + lookahead { condition.wait() }
            if isCancelled || nextBlock >= count {
                runningWorkers -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let block = nextBlock
            nextBlock += 1
            condition.unlock()

            let output = produce(block)

            condition.lock()
            finished[block] = output
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for block `block` and hands it over, letting workers move further ahead.
    private func take(_ block: Int) -> Output {
        condition.lock()
        defer { condition.unlock() }
        while finished[block] == nil { condition.wait() }
        let output = finished.removeValue(forKey: block)!
        consumed = block + 1
        condition.broadcast()
        return output
    }

    /// Stops the workers after their current block and waits until they have all returned.
    private func cancelAndWait() {
        condition.lock()
        isCancelled = true
        condition.broadcast()
        while runningWorkers > 0 { condition.wait() }
        condition.unlock()
    }
}
