import {
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  BadRequestException,
} from '@nestjs/common';

export interface CheckedImage {
  name: string;
  mime: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  bytes: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The image type its first bytes say, whatever name or type the client gave. */
export function sniffImage(bytes: Buffer): CheckedImage['mime'] | null {
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'image/jpeg';
  const head = bytes.subarray(0, 12).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'image/gif';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/**
 * Decodes and checks seed 004's `image_data`: base64 (a data: URL prefix is accepted), at most
 * `maxBytes` decoded (413), a PNG, JPEG, GIF or WebP by its bytes (415), and a `mime` that agrees.
 */
export function checkImage(
  image: { name: string; data: string; mime: string },
  maxBytes: number,
): CheckedImage {
  const data = image.data.replace(/^data:[^;,]*;base64,/, '').replace(/\s+/g, '');
  if (data.length === 0 || !BASE64.test(data))
    throw new BadRequestException('image_data.data must be base64');
  // 4 base64 characters carry 3 bytes: refuse before decoding what would be too large.
  if (
    Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0) >
    maxBytes
  )
    throw new PayloadTooLargeException(
      `image_data is larger than ${Math.round(maxBytes / 1024)} KB (CONVERSATIONS_IMAGE_MAX_KB)`,
    );
  const bytes = Buffer.from(
    data,
    data.includes('-') || data.includes('_') ? 'base64url' : 'base64',
  );
  const mime = sniffImage(bytes);
  if (!mime)
    throw new UnsupportedMediaTypeException(
      'image_data is not a PNG, JPEG, GIF or WebP image (checked by its content)',
    );
  const given = image.mime.toLowerCase().replace('image/jpg', 'image/jpeg');
  if (given !== mime)
    throw new UnsupportedMediaTypeException(
      `image_data.mime says ${image.mime} but the image is ${mime}`,
    );
  return { name: image.name, mime, bytes };
}
