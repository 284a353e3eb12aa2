fn main() {
    std::process::exit(ringcast::cli::main());
}
