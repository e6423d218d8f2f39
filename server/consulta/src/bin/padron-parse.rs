//! The sandboxed reader as a program of its own, for this crate's tests and
//! for trying a file by hand: `padron-parse __parse-workbook < file.xlsx`
//! prints the wire answer. The server and the agent re-execute themselves
//! instead (see `padron_consulta::sandbox`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((first, rest)) if first == padron_consulta::sandbox::SUBCOMMAND => {
            std::process::exit(padron_consulta::sandbox::child_main(rest))
        }
        _ => {
            eprintln!(
                "usage: padron-parse {} < workbook",
                padron_consulta::sandbox::SUBCOMMAND
            );
            std::process::exit(2)
        }
    }
}
