/**
 * Entity files for the built-in entity store: EDM RDF/XML (one entity, or an rdf:RDF of many) or
 * Entity API JSON(-LD), parsed here on the enrich side; the store takes the parsed, labelled entities.
 */
import { readFile } from 'node:fs/promises';
import type { Entity, LabelledEntity } from '../../model/entities.ts';
import { entitiesFromText, entityLabels } from './entity-xml.ts';

/** The entities with every label they are matched by (read off their XML when not given). */
export function withLabels(entities: Entity[]): LabelledEntity[] {
  return entities.map((e) => ({ ...e, labels: entityLabels(e) }));
}

/** Reads and parses an entity file, ready for `EntityStore.importEntities`. */
export async function readEntityFile(path: string | URL): Promise<LabelledEntity[]> {
  return withLabels(entitiesFromText(await readFile(path, 'utf8')));
}
