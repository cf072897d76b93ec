/// Suspends the task until whoever `park` handed its continuation to resumes it, or until the task is
/// cancelled, when `withdraw` takes the continuation back and it is resumed here.
///
/// `park` stores the continuation (under the caller's lock) and returns true, or returns false when there is
/// nothing to wait for. The one place that gets cancellation right: a cancel that comes before the
/// continuation is stored finds nothing to withdraw, so the task looks again once it is parked.
/// `withdraw` must hand a continuation out at most once.
package func parkUntilResumed(
    _ park: (CheckedContinuation<Void, Never>) -> Bool,
    withdraw: @Sendable () -> CheckedContinuation<Void, Never>?
) async {
    await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            guard park(continuation) else { return continuation.resume() }
            if Task.isCancelled { withdraw()?.resume() }
        }
    } onCancel: {
        withdraw()?.resume()
    }
}
