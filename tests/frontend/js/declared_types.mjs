// What a package's generated API declares, read with the TypeScript compiler from its .d.ts:
// every exported interface with each member's type and whether it is optional, and the
// answer type of each method of the named API classes (`AxiosPromise<T>` -> T).
//
// node declared_types.mjs <file.d.ts> [ApiClass ...]  -> JSON on stdout:
// {"interfaces": {Name: {member: {"optional": bool, "type": T}}}, "operations": {method: T}}
// where T is "string" | "number" | "boolean" | "unknown" | "void" | {"enum": [...]} |
// {"array": T} | {"map": T} | {"ref": Name} | {"union": [T, ...]} | {"object": {member: ...}}.
import ts from "typescript";

const [file, ...apiClasses] = process.argv.slice(2);
if (!file) {
  console.error("usage: node declared_types.mjs <file.d.ts> [ApiClass ...]");
  process.exit(2);
}
const program = ts.createProgram([file], { noResolve: false, skipLibCheck: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(file);
const interfaces = {};
const operations = {};

function members(type) {
  const described = {};
  for (const symbol of checker.getPropertiesOfType(type)) {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    described[symbol.getName()] = {
      optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
      type: describe(checker.getTypeOfSymbolAtLocation(symbol, declaration)),
    };
  }
  return described;
}

function describe(type) {
  const flags = type.flags;
  if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "unknown";
  if (flags & ts.TypeFlags.Void) return "void";
  if (flags & ts.TypeFlags.StringLiteral) return { enum: [type.value] };
  if (flags & ts.TypeFlags.String) return "string";
  if (flags & ts.TypeFlags.Number) return "number";
  if (flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return "boolean";
  if (type.isUnion()) {
    const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (parts.every((t) => t.flags & ts.TypeFlags.StringLiteral)) {
      return { enum: parts.map((t) => t.value) };
    }
    if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return "boolean";
    return parts.length === 1 ? describe(parts[0]) : { union: parts.map(describe) };
  }
  if (checker.isArrayType(type)) return { array: describe(checker.getTypeArguments(type)[0]) };
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index) return { map: describe(index.type) };
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (symbol && symbol.flags & ts.SymbolFlags.Interface) return { ref: symbol.getName() };
  return { object: members(type) };
}

ts.forEachChild(source, (node) => {
  if (ts.isInterfaceDeclaration(node)) {
    interfaces[node.name.text] = members(checker.getTypeAtLocation(node));
  } else if (ts.isClassDeclaration(node) && node.name && apiClasses.includes(node.name.text)) {
    for (const method of node.members.filter(ts.isMethodDeclaration)) {
      // AxiosPromise<T> is Promise<AxiosResponse<T>>, whose `data` is the answer's body.
      const response = checker.getAwaitedType(checker.getTypeAtLocation(method.type));
      const data = checker.getTypeOfSymbol(response.getProperty("data"));
      operations[method.name.getText(source)] = describe(data);
    }
  }
});
process.stdout.write(JSON.stringify({ interfaces, operations }));
