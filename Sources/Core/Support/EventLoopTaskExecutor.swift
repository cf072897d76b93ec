import NIOCore
import NIOPosix

/// Runs the jobs of the tasks under its preference on NIO's event loops, as a *task executor*: on the loop
/// that enqueues them when there is one (beside the connection that woke the task), on the next loop otherwise.
///
/// With only the global-executor takeover, a job runs isolated to its event loop as a serial executor, so
/// every resumption of a nonisolated async function (most of a request's code) finds itself on the "wrong"
/// executor and is enqueued once more before it can go on: a second trip through the loop's queue for every
/// await. A job run on a task executor is already where nonisolated code runs, so it goes straight on.
package final class EventLoopTaskExecutor: TaskExecutor {
    package static let shared = EventLoopTaskExecutor(group: .singleton)

    private let group: MultiThreadedEventLoopGroup

    private init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
