import NIOCore

/// A task executor that runs every job on one event loop: code under its preference runs on that loop's
/// thread, between two of the loop's own events, so what it sees of a channel of that loop (open or
/// closed) cannot change until it suspends.
final class OneLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
