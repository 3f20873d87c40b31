const MAX_NAME_LENGTH = 200;

/**
 * The client's file name, made safe to keep as metadata and to offer back in a download: no
 * directories, no control or bidirectional-override characters (which disguise "gpj.exe" as
 * "exe.jpg"), no characters Windows refuses, no leading dots, at most 200 characters with the
 * extension kept. Never used to build a storage path.
 */
export function sanitizeFilename(raw: string | undefined): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if ([...name].length > MAX_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name =
      [...name.slice(0, name.length - extension.length)]
        .slice(0, MAX_NAME_LENGTH - extension.length)
        .join('')
        .trimEnd() + extension;
  }
  return name || 'upload';
}
