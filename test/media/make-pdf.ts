/**
 * Builds a small, valid one-page PDF for tests (no PDF fixture exists in the Metis repositories):
 * optional text, and optionally a JPEG drawn at a chosen resolution so its DPI is known.
 */
export interface PdfSpec {
  text?: string;
  /** A baseline JPEG with its pixel size and the DPI to draw it at. */
  image?: { jpeg: Buffer; width: number; height: number; dpi: number };
}

export function makePdf(spec: PdfSpec): Buffer {
  const objects: Buffer[] = [];
  const add = (body: string | Buffer) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

  let content = '';
  const resources: string[] = [];
  if (spec.text !== undefined) {
    const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
    resources.push(`/Font << /F1 ${font} 0 R >>`);
    content += `BT /F1 24 Tf 72 720 Td (${spec.text.replace(/[()\\]/g, '\\$&')}) Tj ET\n`;
  }
  if (spec.image) {
    const { jpeg, width, height, dpi } = spec.image;
    const img = add(stream(`/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode`, jpeg));
    resources.push(`/XObject << /Im1 ${img} 0 R >>`);
    const w = (width * 72) / dpi;
    const h = (height * 72) / dpi;
    content += `q ${w.toFixed(4)} 0 0 ${h.toFixed(4)} 72 400 cm /Im1 Do Q\n`;
  }
  const contents = add(stream('', Buffer.from(content, 'latin1')));
  const pagesId = objects.length + 2;
  const page = add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 595 842] /Resources << ${resources.join(' ')} >> /Contents ${contents} 0 R >>`);
  add(`<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`);
  const catalog = add(`<< /Type /Catalog /Pages ${pagesId} 0 R >>`);

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0].length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${length}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
