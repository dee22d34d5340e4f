import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getRefId } from '@asteasolutions/zod-to-openapi';
import ts from 'typescript';

/**
 * Renders Chirp's realtime event map (app/realtime/events.ts) as types an app can compile
 * without the server's code: every payload type written with the zod schemas of the API
 * (`z.infer<typeof TimelineItem>`, or an alias of one) becomes the OpenAPI component that
 * schema is published as (`Schemas['TimelineItem']`), so a pushed tweet and a listed one are
 * one type in the client. Anything the renderer cannot translate stops the generation with
 * the type's text: a new event's payload must be a schema the document publishes.
 */

const ROOT = path.resolve(__dirname, '../../..');
export const EVENT_MAP_FILE = path.join(ROOT, 'app/realtime/events.ts');

/** The declarations of the event map that the client needs, in the order they are written. */
const EXPORTED = ['ServerToClientEvents', 'ClientToServerEvents'];

/** Generic types of the language itself, kept as they are. */
const GLOBAL_GENERICS = new Set(['Record', 'Array', 'ReadonlyArray', 'Partial']);

function docComment(node: ts.Node, source: ts.SourceFile): string {
  const [doc] = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  return doc ? `${source.text.slice(doc.getStart(source), doc.getEnd())}\n` : '';
}

/** A name as declared in a module of Chirp: where, and its declaration there. */
interface Declared {
  name: string;
  source: ts.SourceFile;
  node: ts.Node;
}

/**
 * Follows names through Chirp's own modules by their syntax alone (imports with relative
 * paths, local declarations): a type checker would load zod's types to answer the same, for
 * seconds per run.
 */
class Renderer {
  private readonly sources = new Map<string, ts.SourceFile>();

  source(file: string): ts.SourceFile {
    let source = this.sources.get(file);
    if (!source) {
      source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      this.sources.set(file, source);
    }
    return source;
  }

  /** Where `name`, as `source` sees it, is declared (through its imports). */
  private declared(name: string, source: ts.SourceFile, node: ts.Node): Declared {
    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const bindings = statement.importClause?.namedBindings;
        const spec = statement.moduleSpecifier.text;
        if (!bindings || !ts.isNamedImports(bindings) || !spec.startsWith('.')) continue;
        const binding = bindings.elements.find((element) => element.name.text === name);
        if (!binding) continue;
        const base = path.resolve(path.dirname(source.fileName), spec);
        const file = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
        if (!file) throw this.unsupported(node, source);
        return this.declared((binding.propertyName ?? binding.name).text, this.source(file), node);
      }
      const local = declaredIn(statement, name);
      if (local) return { name, source, node: local };
    }
    throw this.unsupported(node, source);
  }

  /** `typeof X` where X is a zod schema exported by Chirp: the component it is published as. */
  private component(query: ts.TypeQueryNode, source: ts.SourceFile): string {
    if (!ts.isIdentifier(query.exprName)) throw this.unsupported(query, source);
    const { name, source: home } = this.declared(query.exprName.text, source, query);
    // The generator runs under tsx: the schema module loads as the server loads it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schema = (require(home.fileName) as Record<string, unknown>)[name];
    const id = schema ? getRefId(schema as Parameters<typeof getRefId>[0]) : undefined;
    if (!id) {
      throw new Error(
        `${name} (${path.relative(ROOT, home.fileName)}) is not an OpenAPI component: give it a name with .openapi('Name') so the client can refer to it`,
      );
    }
    return `Schemas[${JSON.stringify(id)}]`;
  }

  private reference(node: ts.TypeReferenceNode, source: ts.SourceFile): string {
    const name = node.typeName.getText(source);
    const args = node.typeArguments ?? [];
    if (name === 'z.infer' && args.length === 1 && ts.isTypeQueryNode(args[0])) {
      return this.component(args[0], source);
    }
    if (GLOBAL_GENERICS.has(name)) {
      return `${name}<${args.map((arg) => this.render(arg, source)).join(', ')}>`;
    }
    // An alias declared in Chirp (e.g. NotificationJson): render what it stands for.
    if (!ts.isIdentifier(node.typeName) || args.length > 0) throw this.unsupported(node, source);
    const alias = this.declared(node.typeName.text, source, node);
    if (!ts.isTypeAliasDeclaration(alias.node)) throw this.unsupported(node, source);
    return this.render(alias.node.type, alias.source);
  }

  private member(member: ts.TypeElement, source: ts.SourceFile): string {
    if (!ts.isPropertySignature(member) || !member.type) throw this.unsupported(member, source);
    const optional = member.questionToken ? '?' : '';
    const name = member.name.getText(source);
    return `${docComment(member, source)}${name}${optional}: ${this.render(member.type, source)};`;
  }

  render(node: ts.TypeNode, source: ts.SourceFile): string {
    if (ts.isTypeReferenceNode(node)) return this.reference(node, source);
    if (ts.isTypeLiteralNode(node)) {
      return `{ ${node.members.map((m) => this.member(m, source)).join(' ')} }`;
    }
    if (ts.isUnionTypeNode(node)) return node.types.map((t) => this.render(t, source)).join(' | ');
    if (ts.isArrayTypeNode(node)) return `${this.render(node.elementType, source)}[]`;
    if (ts.isFunctionTypeNode(node)) {
      const params = node.parameters.map((p) => {
        if (!p.type) throw this.unsupported(p, source);
        return `${p.name.getText(source)}: ${this.render(p.type, source)}`;
      });
      return `(${params.join(', ')}) => ${this.render(node.type, source)}`;
    }
    if (ts.isLiteralTypeNode(node) || node.kind in KEYWORDS) return node.getText(source);
    throw this.unsupported(node, source);
  }

  /** The client's copy of one exported declaration of the event map. */
  declaration(statement: ts.Statement, source: ts.SourceFile): string {
    const doc = docComment(statement, source);
    if (ts.isInterfaceDeclaration(statement)) {
      const members = statement.members.map((m) => this.member(m, source)).join('\n');
      return `${doc}export interface ${statement.name.text} {\n${members}\n}`;
    }
    if (ts.isTypeAliasDeclaration(statement)) {
      return `${doc}export type ${statement.name.text} = ${this.render(statement.type, source)};`;
    }
    throw this.unsupported(statement, source);
  }

  private unsupported(node: ts.Node, source = node.getSourceFile()): Error {
    return new Error(
      `The client generator cannot translate \`${node.getText(source)}\` (${path.relative(ROOT, source.fileName)}): use a zod schema the document publishes, or teach clients/typescript/scripts/eventMap.ts`,
    );
  }
}

const KEYWORDS: Partial<Record<ts.SyntaxKind, true>> = {
  [ts.SyntaxKind.StringKeyword]: true,
  [ts.SyntaxKind.NumberKeyword]: true,
  [ts.SyntaxKind.BooleanKeyword]: true,
  [ts.SyntaxKind.NullKeyword]: true,
  [ts.SyntaxKind.VoidKeyword]: true,
  [ts.SyntaxKind.NeverKeyword]: true,
  [ts.SyntaxKind.UnknownKeyword]: true,
  [ts.SyntaxKind.UndefinedKeyword]: true,
};

/** The declaration of `name` that `statement` makes, if it makes one. */
function declaredIn(statement: ts.Statement, name: string): ts.Node | undefined {
  if (
    (ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement)) &&
    statement.name.text === name
  ) {
    return statement;
  }
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.find(
      (d) => ts.isIdentifier(d.name) && d.name.text === name,
    );
  }
  return undefined;
}

/** The TypeScript source of the client's event map (src/generated/events.ts), unformatted. */
export function renderEventMap(): string {
  const renderer = new Renderer();
  const source = renderer.source(EVENT_MAP_FILE);
  const declarations = EXPORTED.map((name) => {
    const statement = source.statements.find((s) => declaredIn(s, name) === s);
    if (!statement) throw new Error(`${name} is no longer declared in app/realtime/events.ts`);
    return renderer.declaration(statement, source);
  });
  return [
    `import type { components } from './openapi';`,
    `type Schemas = components['schemas'];`,
    ...declarations,
    `export type RealtimeEvent = keyof ServerToClientEvents;`,
    `/** The payload of a realtime event. */\nexport type EventPayload<E extends RealtimeEvent> = Parameters<ServerToClientEvents[E]>[0];`,
  ].join('\n\n');
}
