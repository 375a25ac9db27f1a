// Reads a PMTiles archive gridgis wrote with the npm `pmtiles` reader and decodes its tiles with
// `@mapbox/vector-tile`: prints the header and, for each z/x/y given on stdin (a JSON array of
// [z, x, y]), the layers with their feature counts and the first feature's properties.
//   node archives.mjs FILE.pmtiles < tiles.json
import { open } from "node:fs/promises";
import { PMTiles } from "pmtiles";
import { VectorTile } from "@mapbox/vector-tile";
import Pbf from "pbf";

const file = await open(process.argv[2]);
const source = {
  getKey: () => process.argv[2],
  getBytes: async (offset, length) => {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await file.read(buf, 0, length, offset);
    const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead);
    return { data };
  },
};
const archive = new PMTiles(source);
const header = await archive.getHeader();
const metadata = await archive.getMetadata();
let input = "";
for await (const chunk of process.stdin) input += chunk;
const tiles = {};
for (const [z, x, y] of JSON.parse(input)) {
  const r = await archive.getZxy(z, x, y);
  if (!r) {
    tiles[`${z}/${x}/${y}`] = null;
    continue;
  }
  const vt = new VectorTile(new Pbf(new Uint8Array(r.data)));
  const layers = {};
  for (const [name, layer] of Object.entries(vt.layers)) {
    const first = layer.length ? layer.feature(0) : null;
    layers[name] = { features: layer.length, extent: layer.extent, version: layer.version, first: first ? first.properties : null };
  }
  tiles[`${z}/${x}/${y}`] = layers;
}
console.log(JSON.stringify({
  header: { minZoom: header.minZoom, maxZoom: header.maxZoom, tileType: header.tileType, tileCompression: header.tileCompression,
            addressed: header.numAddressedTiles, minLon: header.minLon, maxLat: header.maxLat },
  vector_layers: (metadata.vector_layers || []).map((l) => l.id),
  tiles,
}));
await file.close();
