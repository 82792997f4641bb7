import ArgumentParser

@main
struct Kbq: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kbq",
        abstract: "Search the cross-border customer-service encyclopedia.",
        discussion: "Exit status: 0 ok, 1 findings, 64 usage, 65 refused, 66 no corpus, 69 kbqd not running, 70 kbqd failed, 75 kbqd overloaded, 77 not allowed (docs/cli.md).",
        subcommands: [SearchCommand.self, ShowCommand.self, BriefCommand.self, CheckCommand.self, StaleCommand.self,
                      StatusCommand.self, ReindexCommand.self, Validate.self])
}
