/// Long-running consumers of the event log: the relay, the automation engine, triggers, the scheduler and
/// notifications. Each is a swift-service-lifecycle `Service`.
public enum Workers {}
