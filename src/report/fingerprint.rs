//! `primaryLocationLineHash`, computed exactly as GitHub's upload action does (a rolling hash over
//! the next 100 non-blank characters from the start of each line), so SARIF uploaded through the
//! API and through the Action identify alerts the same way.

const BLOCK_SIZE: usize = 100;
const MOD: u64 = 37;

/// One hash per line of `text`, `"<hex>:<occurrence>"`, in line order.
pub fn line_hashes(text: &str) -> Vec<String> {
    let first_mod = (0..BLOCK_SIZE).fold(1u64, |acc, _| acc.wrapping_mul(MOD));
    let mut window = [0u64; BLOCK_SIZE];
    let mut line_numbers = [usize::MAX; BLOCK_SIZE];
    let mut hash: u64 = 0;
    let mut index = 0;
    let mut line_number = 0;
    let mut line_start = true;
    let mut previous_cr = false;
    let mut counts: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut hashes: Vec<(usize, String)> = Vec::new();

    let mut output = |hash: u64, line: usize, hashes: &mut Vec<(usize, String)>| {
        let count = counts.entry(hash).or_insert(0);
        *count += 1;
        hashes.push((line, format!("{hash:x}:{count}")));
    };

    let update = |current: u64, hash: &mut u64, index: &mut usize, window: &mut [u64; BLOCK_SIZE]| {
        let begin = window[*index];
        window[*index] = current;
        *hash = MOD.wrapping_mul(*hash).wrapping_add(current).wrapping_sub(first_mod.wrapping_mul(begin));
        *index = (*index + 1) % BLOCK_SIZE;
    };

    // UTF-16 code units, as JavaScript's charCodeAt sees them, then EOF (65535).
    let units = text.encode_utf16().map(u64::from).chain(std::iter::once(65535));
    for mut current in units {
        if current == u64::from(b' ') || current == u64::from(b'\t') || (previous_cr && current == u64::from(b'\n')) {
            previous_cr = false;
            continue;
        }
        if current == u64::from(b'\r') {
            current = u64::from(b'\n');
            previous_cr = true;
        } else {
            previous_cr = false;
        }
        if line_numbers[index] != usize::MAX {
            output(hash, line_numbers[index], &mut hashes);
            line_numbers[index] = usize::MAX;
        }
        if line_start {
            line_start = false;
            line_number += 1;
            line_numbers[index] = line_number;
        }
        if current == u64::from(b'\n') {
            line_start = true;
        }
        update(current, &mut hash, &mut index, &mut window);
    }
    for _ in 0..BLOCK_SIZE {
        if line_numbers[index] != usize::MAX {
            output(hash, line_numbers[index], &mut hashes);
            line_numbers[index] = usize::MAX;
        }
        update(0, &mut hash, &mut index, &mut window);
    }
    hashes.sort_by_key(|(line, _)| *line);
    hashes.into_iter().map(|(_, hash)| hash).collect()
}

/// archlint's own stable key: rule, path, the flagged code without whitespace, and which
/// occurrence of that same code in the file this is. Line numbers are left out on purpose, so the
/// key survives edits above the finding.
pub fn stable_key(rule: &str, path: &str, snippet: &str, ordinal: usize) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [rule, path, snippet, &ordinal.to_string()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::line_hashes;

    // Expected values are the published test vectors of GitHub's codeql-action
    // (src/fingerprints.test.ts), which the upload action's implementation must reproduce.
    #[test]
    fn matches_the_upload_action_on_its_test_vectors() {
        assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d"),
            ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]
        );
        let expected_trailing_newline = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(text), expected_trailing_newline, "{text:?}");
        }
        assert_eq!(
            line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End"),
            [
                "8b7cf3e952e7aeb2:1",
                "b1ae1287ec4718d9:1",
                "bff680108adb0fcc:1",
                "c6805c5e1288b612:1",
                "b86d3392aea1be30:1",
                "e6ceba753e1a442:1"
            ]
        );
    }

    #[test]
    fn identical_lines_are_numbered() {
        let hashes = line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(
            hashes,
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1"
            ]
        );
    }
}
