//! The vsmartcard `vpcd` protocol: the virtual card connects to the reader
//! driver over TCP; every message is a 2-byte big-endian length and a
//! payload. One-byte payloads are control messages (`00` power off, `01`
//! power on, `02` reset, `04` ATR request, answered with the ATR); anything
//! else is a command APDU, answered with the response APDU. Closing the
//! connection is removing the card.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::virtual_card::applet::PivApplet;

/// vpcd's first slot ("Virtual PCD 00 00"); the second listens on 35964.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:35963";

const CTRL_OFF: u8 = 0x00;
const CTRL_ON: u8 = 0x01;
const CTRL_RESET: u8 = 0x02;
const CTRL_ATR: u8 = 0x04;

/// The ATR: T=1, and historical bytes in compact-TLV form carrying the PIV
/// AID (tag F), which tells middleware such as OpenSC "this is a PIV card".
/// Deliberately not of the form `3B 8x 80 01`, which OpenSC takes for a
/// contactless card.
pub fn atr() -> Vec<u8> {
    let mut historical = vec![0x80, 0xF0 | crate::piv::AID.len() as u8];
    historical.extend_from_slice(&crate::piv::AID);
    let mut atr = vec![0x3B, 0x80 | historical.len() as u8, 0x01];
    atr.extend_from_slice(&historical);
    // TCK: XOR of every byte from T0 on, required when T=1 is offered.
    let tck = atr[1..].iter().fold(0u8, |acc, b| acc ^ b);
    atr.push(tck);
    atr
}

fn read_message(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    match stream.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut payload)?;
    Ok(Some(payload))
}

fn write_message(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too long"))?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    stream.write_all(&frame)
}

/// Connects to vpcd, retrying until `wait` has passed (pcscd may still be
/// loading its drivers).
pub fn connect(address: &str, wait: Duration) -> io::Result<TcpStream> {
    let addrs: Vec<SocketAddr> = address.to_socket_addrs()?.collect();
    let deadline = Instant::now() + wait;
    loop {
        let mut last_err = io::Error::new(
            io::ErrorKind::NotFound,
            format!("{address} resolves to nothing"),
        );
        for addr in &addrs {
            match TcpStream::connect_timeout(addr, Duration::from_secs(2)) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    return Ok(stream);
                }
                Err(e) => last_err = e,
            }
        }
        if Instant::now() >= deadline {
            return Err(last_err);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Serves `applet` on an open vpcd connection until vpcd closes it.
pub fn serve(stream: &mut TcpStream, applet: &mut PivApplet) -> io::Result<()> {
    let atr = atr();
    while let Some(message) = read_message(stream)? {
        match message.as_slice() {
            [CTRL_OFF] | [CTRL_ON] | [CTRL_RESET] => applet.reset(),
            [CTRL_ATR] => write_message(stream, &atr)?,
            [other] => eprintln!("padron-card: ignoring unknown vpcd control {other:02X}"),
            apdu => {
                let response = applet.process(apdu);
                write_message(stream, &response)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atr_is_well_formed_and_not_contactless() {
        let atr = atr();
        assert_eq!(atr[0], 0x3B);
        let historical = usize::from(atr[1] & 0x0F);
        // TS, T0, TD1, historical bytes, TCK.
        assert_eq!(atr.len(), 3 + historical + 1);
        assert_eq!(
            atr[1..].iter().fold(0u8, |a, b| a ^ b),
            0,
            "TCK makes the XOR zero"
        );
        assert!(!(atr[1] & 0xF0 == 0x80 && atr[2] == 0x80 && atr[3] == 0x01));
    }
}
