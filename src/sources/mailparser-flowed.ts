/**
 * Makes mailparser leave `format=flowed` text parts to flowed.ts. mailparser decodes a flowed part with libmime,
 * which glues an empty diff context line (`" "`, `">  "`) to the next diff line; it offers no option to skip that
 * decoding. Installed once on mailparser's MailParser class (message.ts does it where it loads mailparser): a new
 * part that mailsplit marked flowed is unmarked before mailparser sets up its decoding (so its text comes out
 * transfer- and charset-decoded but still flowed), and its text is unflowed by flowed.ts, with the part's DelSp,
 * when mailparser assembles the message text. MIME structure, encodings and charsets stay mailparser's.
 */
import { unflow } from './flowed.ts';

/** The parts of mailparser's (internal) node and MailParser this relies on (mailparser 3.9). */
interface SplitNode {
  flowed?: boolean;
  delSp?: boolean;
}
interface TextNode {
  textContent?: unknown;
  children?: TextNode[];
  mmreviewFlowed?: { delSp: boolean };
}
interface ParserProto {
  createNode(this: unknown, node: SplitNode): TextNode;
  getTextContent(this: { tree?: TextNode }): unknown;
  mmreviewFlowedHook?: true;
}

function unflowTree(node: TextNode | undefined): void {
  if (!node) return;
  const f = node.mmreviewFlowed;
  if (f && typeof node.textContent === 'string') {
    node.textContent = unflow(node.textContent, f.delSp);
    delete node.mmreviewFlowed;
  }
  for (const c of node.children ?? []) unflowTree(c);
}

/** Installs the hook on mailparser's MailParser class (idempotent). */
export function installFlowedHook(mailParser: unknown): void {
  const proto = (mailParser as { prototype?: ParserProto }).prototype;
  if (!proto || proto.mmreviewFlowedHook || typeof proto.createNode !== 'function' || typeof proto.getTextContent !== 'function') return;
  const createNode = proto.createNode;
  const getTextContent = proto.getTextContent;
  proto.createNode = function (node: SplitNode): TextNode {
    const flowed = node.flowed === true;
    if (flowed) node.flowed = false;
    const made = createNode.call(this, node);
    if (flowed) made.mmreviewFlowed = { delSp: node.delSp === true };
    return made;
  };
  proto.getTextContent = function (): unknown {
    unflowTree(this.tree);
    return getTextContent.call(this);
  };
  proto.mmreviewFlowedHook = true;
}
