@testable import Core
import NIOCore
import NIOPosix
import Testing

/// The process runs every task under `EventLoopTaskExecutor`: its code must run on NIO's loops, and a task
/// woken by a loop must go on there (beside the connection that woke it), nested tasks included.
@Suite struct EventLoopTaskExecutorTests {
    @Test func aTaskRunsOnTheLoopThatWokeIt() async {
        var loops = MultiThreadedEventLoopGroup.singleton.makeIterator()
        let first = loops.next()!, second = loops.next()!
        await withTaskExecutorPreference(EventLoopTaskExecutor.shared) {
            #expect(MultiThreadedEventLoopGroup.currentEventLoop != nil)
            for loop in [first, second, first] {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    // Later, not at once: a continuation resumed before its task has finished suspending lets
                    // the task go on where it was, without being enqueued anywhere.
                    loop.scheduleTask(in: .milliseconds(20)) { continuation.resume() }
                }
                #expect(MultiThreadedEventLoopGroup.currentEventLoop === loop)
            }
        }
    }

    @Test func childTasksInheritTheLoops() async {
        let onLoops = await withTaskExecutorPreference(EventLoopTaskExecutor.shared) {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        await Task.yield()
                        return MultiThreadedEventLoopGroup.currentEventLoop != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(onLoops == Array(repeating: true, count: 8))
    }
}
