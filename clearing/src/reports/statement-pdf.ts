import PDFDocument from 'pdfkit';
import type { RunDetail, RunLine } from '../run/run.types.js';
import { statementLines } from './statement-csv.js';

/**
 * The settlement statement an operator receives, as PDF: its figures for the day and the run's
 * output hash, which anyone can check against a rerun of the same inputs. The document's dates
 * are the run's, so the same run always gives the same statement.
 */
export async function statementPdf(run: RunDetail, operatorId: string): Promise<Buffer> {
  const line = statementLines(run, operatorId)[0] as RunLine;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Settlement statement ${run.day} ${operatorId}`,
      Author: 'citycard clearing',
      // In the metadata too, where a program can read it without rendering the page.
      Subject: `Run ${run.id} output hash ${run.outputHash}`,
      Keywords: run.outputHash,
      CreationDate: run.startedAt,
      ModDate: run.startedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  writeStatement(doc, run, line);
  doc.end();
  return done;
}

function row(doc: PDFKit.PDFDocument, label: string, value: string): void {
  const y = doc.y;
  doc.font('Helvetica').text(label, 50, y, { width: 250 });
  doc.font('Courier').text(value, 300, y, { width: 245, align: 'right' });
  doc.moveDown(0.2);
}

function writeStatement(doc: PDFKit.PDFDocument, run: RunDetail, line: RunLine): void {
  doc.font('Helvetica-Bold').fontSize(16).text('Settlement statement', { align: 'left' });
  doc.fontSize(10).moveDown(0.5);
  row(doc, 'Operator', line.operatorId);
  row(doc, 'Business day', run.day);
  row(doc, 'Run', run.id);
  row(doc, 'Run status', run.status);
  row(doc, 'Cut-off', run.cutoff.toISOString());
  doc.moveDown();
  row(doc, 'Transactions', String(line.count));
  row(doc, 'Gross', line.gross.toString());
  row(doc, 'Commission (deducted)', line.commission.toString());
  row(doc, 'Concession subsidy', line.subsidy.toString());
  row(doc, 'Adjustments from earlier runs', line.adjustments.toString());
  doc.font('Helvetica-Bold');
  row(doc, 'Net payable to operator', line.net.toString());
  row(doc, 'Late arrivals (count / gross)', `${line.lateCount} / ${line.lateGross.toString()}`);
  const schedule =
    line.feeScheduleId === null ? 'none' : `${line.feeScheduleId}@${line.feeScheduleVersion ?? ''}`;
  row(doc, 'Fee schedule', schedule);
  if (line.byType.length > 0) {
    doc.moveDown().font('Helvetica-Bold').text('By transaction type', 50);
    for (const t of line.byType) {
      row(doc, `${t.type} (${t.count})`, `${t.gross.toString()}  fee ${t.commission.toString()}`);
    }
  }
  doc.moveDown().font('Helvetica-Bold').text('Run output hash', 50);
  doc.font('Courier').fontSize(8).text(run.outputHash, 50);
  doc.font('Helvetica-Bold').fontSize(10).text('Run input hash', 50);
  doc.font('Courier').fontSize(8).text(run.inputHash, 50);
  doc.font('Helvetica').fontSize(8).moveDown();
  doc.text(`Engine ${run.ruleVersions.engine}. Amounts in CNY, two decimal places.`, 50);
}
