import ArgumentParser

@main
struct Kbq: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kbq",
        abstract: "Search the cross-border customer-service encyclopedia.",
        subcommands: [Validate.self])
}
