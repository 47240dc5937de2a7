/// The version of this project's programs (`blob`, `blobber`, `ledger`), printed by `--version`. One
/// string for all three: they are built and released together.
public enum ProjectVersion {
    public static let string = "0.1.0"
}
