fn main() {
    std::process::exit(archlint::cli::main());
}
