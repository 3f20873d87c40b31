/**
 * Splits a transcript into chunks of about `size` characters on line boundaries, each starting
 * with the last `overlap` characters (whole lines) of the one before, so a question at the end of
 * one chunk is still seen with its answer at the start of the next. Pairs found twice (in the
 * overlap) are dropped later by their normalised question.
 */
export function chunkTranscript(text: string, size: number, overlap: number): string[] {
  if (text.length <= size) return [text];
  const lines = text.split('\n');
  const chunks: string[] = [];
  let start = 0;
  while (start < lines.length) {
    let length = 0;
    let end = start;
    while (end < lines.length && (end === start || length + lines[end].length + 1 <= size)) {
      length += lines[end].length + 1;
      end++;
    }
    chunks.push(lines.slice(start, end).join('\n'));
    if (end >= lines.length) break;
    // Step back over whole lines worth at most `overlap` characters, but always move forward.
    let back = end;
    let carried = 0;
    while (back - 1 > start && carried + lines[back - 1].length + 1 <= overlap) {
      carried += lines[back - 1].length + 1;
      back--;
    }
    start = back;
  }
  return chunks;
}
