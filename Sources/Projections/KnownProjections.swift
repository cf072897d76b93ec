/// Every projection Canopy runs, by name: what `canopy serve` runs and `canopy rebuild NAME` accepts.
public enum KnownProjections {
    public static let all: [any Projection] = [EventCatalog()]

    public static func named(_ name: String) -> (any Projection)? {
        all.first { $0.name == name }
    }
}
