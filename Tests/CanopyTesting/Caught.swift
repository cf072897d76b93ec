/// The error `body` throws, or nil if it returns: for tests of what is refused, and why.
public func caught<Failure: Error>(_ body: () throws(Failure) -> Void) -> Failure? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
