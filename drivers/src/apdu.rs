//! Command and response APDUs (ISO 7816-4 §5.1), both directions: the host
//! driver encodes commands and parses responses, the virtual card does the
//! reverse. Bytes from the other side are never trusted: every parse returns
//! an error instead of indexing past the end.

use std::fmt;

use thiserror::Error;

/// Class byte bit that says "more command data follows in the next APDU".
pub const CLA_CHAINING: u8 = 0x10;

/// The largest data field of a short APDU.
pub const SHORT_MAX_DATA: usize = 255;

/// The most a short APDU's Le can ask for (`00` means 256).
pub const SHORT_MAX_LE: usize = 256;

/// Why bytes are not a well-formed APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ApduError {
    /// Fewer than the four bytes CLA INS P1 P2.
    #[error("command APDU shorter than its 4-byte header")]
    TooShort,
    /// The Lc/Le fields announce a length other than the bytes present.
    #[error("command APDU length {actual} does not match its Lc/Le fields")]
    BadLength {
        /// The command's length in bytes.
        actual: usize,
    },
    /// Fewer than the two bytes SW1 SW2.
    #[error("response APDU shorter than its 2-byte status word")]
    NoStatusWord,
    /// More than 255 bytes of data for a short APDU (use command chaining).
    #[error("command data of {0} bytes does not fit a short APDU")]
    DataTooLong(usize),
}

/// A status word, the two bytes that end every response.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `9000`: normal processing, no further qualification.
    pub const SUCCESS: StatusWord = StatusWord(0x9000);
    /// `6700`: wrong length (Lc or Le).
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// `6883`: the last command of a chain was expected.
    pub const LAST_COMMAND_EXPECTED: StatusWord = StatusWord(0x6883);
    /// `6982`: security status not satisfied (e.g. the PIN is not verified).
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// `6983`: authentication method blocked (the PIN has no tries left).
    pub const AUTH_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    /// `6985`: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// `6A80`: incorrect parameters in the command data.
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    /// `6A81`: function not supported.
    pub const FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    /// `6A82`: file or application not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// `6A86`: incorrect parameters P1-P2.
    pub const INCORRECT_P1P2: StatusWord = StatusWord(0x6A86);
    /// `6A88`: referenced data (key, object) not found.
    pub const REFERENCE_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    /// `6D00`: instruction code not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// `6E00`: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// `6F00`: no precise diagnosis.
    pub const UNKNOWN_ERROR: StatusWord = StatusWord(0x6F00);

    /// The status word made of SW1 (high byte) and SW2 (low byte).
    pub fn from_bytes(sw1: u8, sw2: u8) -> StatusWord {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }

    /// The high byte, SW1.
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// The low byte, SW2.
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    /// Whether this is exactly `9000`.
    pub fn is_success(self) -> bool {
        self == StatusWord::SUCCESS
    }

    /// `61xx`: this many more response bytes wait for GET RESPONSE (`00` = 256 or more).
    pub fn bytes_remaining(self) -> Option<usize> {
        (self.sw1() == 0x61).then(|| match self.sw2() {
            0 => 256,
            n => usize::from(n),
        })
    }

    /// `6Cxx`: the card wants the command repeated with Le = xx.
    pub fn exact_length(self) -> Option<usize> {
        (self.sw1() == 0x6C).then(|| match self.sw2() {
            0 => 256,
            n => usize::from(n),
        })
    }

    /// `63Cx`: verification failed (or, for an empty VERIFY, is pending) with x tries left.
    pub fn tries_left(self) -> Option<u8> {
        (self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0).then_some(self.sw2() & 0x0F)
    }

    /// `63Cx` for a given count.
    pub fn with_tries_left(tries: u8) -> StatusWord {
        StatusWord::from_bytes(0x63, 0xC0 | (tries.min(15)))
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// A command APDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte; bit `0x10` marks a chained command.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter byte.
    pub p1: u8,
    /// Second parameter byte.
    pub p2: u8,
    /// Command data (may hold a PIN: zeroed on drop, hidden from `Debug`).
    pub data: Vec<u8>,
    /// Expected response length; `None` for no response data.
    pub le: Option<usize>,
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the data: a VERIFY carries the PIN.
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

/// A command's data may be a PIN block (VERIFY): it is wiped when the
/// command is dropped, whatever the command.
impl Drop for Command {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

impl zeroize::ZeroizeOnDrop for Command {}

impl Command {
    /// A command with this header, no data and no expected response.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Command {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    /// Sets the command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Command {
        self.data = data.into();
        self
    }

    /// Sets the expected response length Le, in bytes.
    pub fn with_le(mut self, le: usize) -> Command {
        self.le = Some(le);
        self
    }

    /// Whether the chaining bit is set in CLA (more commands of the chain follow).
    pub fn is_chained(&self) -> bool {
        self.cla & CLA_CHAINING != 0
    }

    /// Encodes as a short APDU; data must fit in 255 bytes (see [`Command::chain`]).
    pub fn to_short_bytes(&self) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > SHORT_MAX_DATA {
            return Err(ApduError::DataTooLong(self.data.len()));
        }
        let mut out = Vec::with_capacity(6 + self.data.len());
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.data.is_empty() {
            out.push(self.data.len() as u8);
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            // 256 (and anything larger, which a short APDU cannot say) is written as 00.
            out.push(if le >= SHORT_MAX_LE { 0 } else { le as u8 });
        }
        Ok(out)
    }

    /// Splits a command whose data exceeds one short APDU into a chain
    /// (ISO 7816-4 §5.1.1.1): every part but the last has the chaining bit
    /// set, and only the last asks for response data.
    pub fn chain(&self) -> Vec<Command> {
        if self.data.len() <= SHORT_MAX_DATA {
            return vec![self.clone()];
        }
        let chunks: Vec<&[u8]> = self.data.chunks(SHORT_MAX_DATA).collect();
        let last = chunks.len() - 1;
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| Command {
                cla: if i == last {
                    self.cla
                } else {
                    self.cla | CLA_CHAINING
                },
                ins: self.ins,
                p1: self.p1,
                p2: self.p2,
                data: chunk.to_vec(),
                le: if i == last { self.le } else { None },
            })
            .collect()
    }

    /// Parses a short or extended command APDU.
    pub fn parse(bytes: &[u8]) -> Result<Command, ApduError> {
        let (header, body) = bytes.split_first_chunk::<4>().ok_or(ApduError::TooShort)?;
        let [cla, ins, p1, p2] = *header;
        let mut cmd = Command::new(cla, ins, p1, p2);
        let bad = || ApduError::BadLength {
            actual: bytes.len(),
        };
        match body {
            // Case 1.
            [] => {}
            // Case 2 short.
            [le] => cmd.le = Some(short_le(*le)),
            // Extended forms start with a 00 byte followed by two length bytes.
            [0, hi, lo, rest @ ..] => {
                let n = usize::from(u16::from_be_bytes([*hi, *lo]));
                if rest.is_empty() {
                    // Case 2 extended.
                    cmd.le = Some(if n == 0 { 65_536 } else { n });
                } else {
                    if n == 0 {
                        return Err(bad());
                    }
                    let data = rest.get(..n).ok_or_else(bad)?;
                    cmd.data = data.to_vec();
                    match &rest[n..] {
                        [] => {}
                        [hi, lo] => {
                            let le = usize::from(u16::from_be_bytes([*hi, *lo]));
                            cmd.le = Some(if le == 0 { 65_536 } else { le });
                        }
                        _ => return Err(bad()),
                    }
                }
            }
            // Case 3 or 4 short.
            [lc, rest @ ..] => {
                let n = usize::from(*lc);
                let data = rest.get(..n).ok_or_else(bad)?;
                cmd.data = data.to_vec();
                match &rest[n..] {
                    [] => {}
                    [le] => cmd.le = Some(short_le(*le)),
                    _ => return Err(bad()),
                }
            }
        }
        Ok(cmd)
    }
}

fn short_le(byte: u8) -> usize {
    if byte == 0 {
        SHORT_MAX_LE
    } else {
        usize::from(byte)
    }
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data, without the status word.
    pub data: Vec<u8>,
    /// The status word that ended the response.
    pub sw: StatusWord,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} data bytes, {})", self.data.len(), self.sw)
    }
}

impl Response {
    /// A response with this data and status word.
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Response {
        Response { data, sw }
    }

    /// A response with no data, only a status word.
    pub fn status(sw: StatusWord) -> Response {
        Response {
            data: Vec::new(),
            sw,
        }
    }

    /// Splits a response's bytes into data and the trailing status word.
    pub fn parse(bytes: &[u8]) -> Result<Response, ApduError> {
        let (data, sw) = bytes
            .split_last_chunk::<2>()
            .ok_or(ApduError::NoStatusWord)?;
        Ok(Response {
            data: data.to_vec(),
            sw: StatusWord::from_bytes(sw[0], sw[1]),
        })
    }

    /// The wire form: data followed by SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&[self.sw.sw1(), self.sw.sw2()]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_and_its_pin_block_are_wiped_on_drop() {
        // Type-level: these hold PINs, and wipe them when dropped.
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Command>();
        wiped_on_drop::<zeroize::Zeroizing<[u8; 8]>>();
        wiped_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
        // And the wiping itself: what Drop runs empties the data.
        let mut cmd = Command::new(0, 0x20, 0, 0x80).with_data(b"123456\xff\xff".to_vec());
        zeroize::Zeroize::zeroize(&mut cmd.data);
        assert!(cmd.data.is_empty());
    }

    #[test]
    fn all_four_cases_round_trip() {
        let cases = [
            Command::new(0x00, 0x20, 0x00, 0x80),
            Command::new(0x00, 0xC0, 0x00, 0x00).with_le(256),
            Command::new(0x00, 0x20, 0x00, 0x80).with_data(vec![0x31; 8]),
            Command::new(0x00, 0xCB, 0x3F, 0xFF)
                .with_data(vec![0x5C, 1, 0x7E])
                .with_le(12),
        ];
        for cmd in cases {
            let bytes = cmd.to_short_bytes().unwrap();
            assert_eq!(Command::parse(&bytes).unwrap(), cmd, "{bytes:02X?}");
        }
    }

    #[test]
    fn extended_apdus_parse() {
        let mut bytes = vec![0x00, 0x87, 0x07, 0x9A, 0x00, 0x01, 0x02];
        bytes.extend(vec![0xAB; 0x102]);
        bytes.extend([0x00, 0x00]);
        let cmd = Command::parse(&bytes).unwrap();
        assert_eq!(cmd.data.len(), 0x102);
        assert_eq!(cmd.le, Some(65_536));
        assert_eq!(
            Command::parse(&[0, 0xC0, 0, 0, 0, 0x01, 0x00]).unwrap().le,
            Some(256)
        );
    }

    #[test]
    fn bad_lengths_are_errors() {
        assert_eq!(Command::parse(&[0, 0xA4, 4]), Err(ApduError::TooShort));
        assert!(matches!(
            Command::parse(&[0, 0xA4, 4, 0, 5, 1, 2]),
            Err(ApduError::BadLength { .. })
        ));
        assert!(matches!(
            Command::parse(&[0, 0xA4, 4, 0, 1, 1, 2, 3]),
            Err(ApduError::BadLength { .. })
        ));
        assert_eq!(Response::parse(&[0x90]), Err(ApduError::NoStatusWord));
    }

    #[test]
    fn long_commands_are_chained() {
        let cmd = Command::new(0x00, 0x87, 0x07, 0x9A)
            .with_data(vec![7; 600])
            .with_le(256);
        let parts = cmd.chain();
        assert_eq!(parts.len(), 3);
        assert!(parts[0].is_chained() && parts[1].is_chained() && !parts[2].is_chained());
        assert_eq!(parts[0].le, None);
        assert_eq!(parts[2].le, Some(256));
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.data.clone()).collect();
        assert_eq!(joined, cmd.data);
        assert_eq!(cmd.to_short_bytes(), Err(ApduError::DataTooLong(600)));
    }

    #[test]
    fn status_words_decode() {
        assert_eq!(StatusWord(0x6110).bytes_remaining(), Some(16));
        assert_eq!(StatusWord(0x6100).bytes_remaining(), Some(256));
        assert_eq!(StatusWord(0x63C2).tries_left(), Some(2));
        assert_eq!(StatusWord(0x6300).tries_left(), None);
        assert_eq!(StatusWord::with_tries_left(0), StatusWord(0x63C0));
        assert_eq!(StatusWord(0x6C20).exact_length(), Some(32));
        let r = Response::parse(&[1, 2, 0x90, 0x00]).unwrap();
        assert_eq!(r.data, vec![1, 2]);
        assert!(r.sw.is_success());
    }
}
