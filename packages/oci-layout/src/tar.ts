/** A minimal, deterministic ustar archive of one regular file (mtime 0, root-owned, mode 0644). */
export function tarOneFile(name: string, content: Uint8Array): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 100) throw new Error(`tar: bad file name "${name}"`);
  const header = Buffer.alloc(512, 0);
  const put = (text: string, offset: number, length: number): void => {
    header.write(text, offset, length, 'ascii');
  };
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  nameBytes.copy(header, 0);
  put(octal(0o644, 8), 100, 8); // mode
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(content.length, 12), 124, 12); // size
  put(octal(0, 12), 136, 12); // mtime
  put('        ', 148, 8); // checksum placeholder: eight spaces
  put('0', 156, 1); // typeflag: regular file
  put('ustar\0', 257, 6); // magic
  put('00', 263, 2); // version
  put('root', 265, 32); // uname
  put('root', 297, 32); // gname
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = (512 - (content.length % 512)) % 512;
  return Buffer.concat([header, Buffer.from(content), Buffer.alloc(padding), Buffer.alloc(1024)]);
}
