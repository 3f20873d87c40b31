import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { checkImage, sniffImage } from './image-data.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('checkImage', () => {
  it('accepts a PNG given as base64 or as a data URL', () => {
    expect(checkImage({ name: 'a.png', data: PNG, mime: 'image/png' }, 1024).mime).toBe(
      'image/png',
    );
    const viaUrl = checkImage(
      { name: 'a.png', data: `data:image/png;base64,${PNG}`, mime: 'image/png' },
      1024,
    );
    expect(viaUrl.bytes.length).toBe(Buffer.from(PNG, 'base64').length);
  });

  it('decides the type by the bytes', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('GIF89a....'))).toBe('image/gif');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImage(Buffer.from('%PDF-1.7'))).toBeNull();
  });

  it('refuses what is not base64 (400), too large (413), not an image or a mime that disagrees (415)', () => {
    expect(() => checkImage({ name: 'a', data: 'not base64 !!', mime: 'image/png' }, 1024)).toThrow(
      BadRequestException,
    );
    expect(() => checkImage({ name: 'a', data: PNG, mime: 'image/png' }, 10)).toThrow(
      PayloadTooLargeException,
    );
    const pdf = Buffer.from('%PDF-1.7 hello').toString('base64');
    expect(() => checkImage({ name: 'a', data: pdf, mime: 'image/png' }, 1024)).toThrow(
      UnsupportedMediaTypeException,
    );
    expect(() => checkImage({ name: 'a', data: PNG, mime: 'image/jpeg' }, 1024)).toThrow(
      'image_data.mime says image/jpeg but the image is image/png',
    );
  });
});
