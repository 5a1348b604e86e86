fn main() -> std::process::ExitCode {
    dlc::cli::run()
}
