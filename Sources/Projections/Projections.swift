/// Read models built from the event log: projectors, checkpoints, queries and rebuilds.
///
/// The projection runtime arrives with the fan-out work; this module exists now so that the package has the
/// shape DESIGN.md gives it and later work lands beside the other modules instead of reshaping them.
public enum Projections {}
