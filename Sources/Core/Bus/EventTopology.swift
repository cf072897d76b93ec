/// Where events travel on the broker: the exchange the relay publishes to and the prefix of every consumer
/// queue. One deployment uses the defaults (a virtual host per deployment is how several share a broker);
/// tests give each test its own, so that tests running side by side never see each other's events.
public struct EventTopology: Sendable, Hashable {
    /// Durable, topic.
    public var exchange: String
    public var queuePrefix: String

    public init(exchange: String = "canopy.events", queuePrefix: String = "canopy") {
        self.exchange = exchange
        self.queuePrefix = queuePrefix
    }

    /// `<namespace>.events` and queues `<namespace>.<consumer>`: the default is namespace `canopy`.
    public init(namespace: String) {
        self.init(exchange: "\(namespace).events", queuePrefix: namespace)
    }
}
