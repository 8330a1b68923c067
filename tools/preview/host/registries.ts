/**
 * The option registries Grafana's core fills at boot and plugins' builders
 * look up: the option editors by id, and the standard field config properties
 * (unit, decimals, min/max, display name, colour, thresholds, value mappings,
 * links, no value) with the processors that apply them to fields. The page
 * never shows the panel editor, so the editors render nothing; the processors
 * are Grafana's own from @grafana/data, so field config applies as in Grafana.
 */
import {
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  type FieldConfigPropertyItem,
  FieldType,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  ThresholdsMode,
  valueMappingsOverrideProcessor,
} from '@grafana/data';

const EDITOR_IDS = [
  'boolean',
  'color',
  'dashboard-uid',
  'field-name',
  'fieldColor',
  'links',
  'mappings',
  'multi-select',
  'number',
  'radio',
  'select',
  'slider',
  'stats-picker',
  'strings',
  'text',
  'thresholds',
  'timezone',
  'unit',
];

const noEditor = () => null;

type Property = FieldConfigPropertyItem<unknown, unknown, object>;

function property(
  id: string,
  process: Property['process'],
  options: { category?: string; shouldApply?: Property['shouldApply']; defaultValue?: unknown } = {}
): Property {
  return {
    id,
    path: id,
    name: id,
    editor: noEditor,
    override: noEditor,
    process,
    settings: {},
    shouldApply: options.shouldApply ?? (() => true),
    category: [options.category ?? 'Standard options'],
    defaultValue: options.defaultValue,
  };
}

const isNumber = (field: { type: FieldType }) => field.type === FieldType.number;

export function installOptionRegistries(): void {
  standardEditorsRegistry.setInit(() => EDITOR_IDS.map((id) => ({ id, name: id, editor: noEditor })));
  standardFieldConfigEditorRegistry.setInit(() => [
    property('unit', stringOverrideProcessor),
    property('min', numberOverrideProcessor, { shouldApply: isNumber }),
    property('max', numberOverrideProcessor, { shouldApply: isNumber }),
    property('decimals', numberOverrideProcessor, { shouldApply: isNumber }),
    property('displayName', displayNameOverrideProcessor),
    property('color', identityOverrideProcessor),
    property('noValue', stringOverrideProcessor),
    property('links', dataLinksOverrideProcessor, { category: 'Data links' }),
    property('mappings', valueMappingsOverrideProcessor, {
      category: 'Value mappings',
      shouldApply: (field) => field.type !== FieldType.time,
      defaultValue: [],
    }),
    property('thresholds', thresholdsOverrideProcessor, {
      category: 'Thresholds',
      defaultValue: {
        mode: ThresholdsMode.Absolute,
        steps: [
          { value: -Infinity, color: 'green' },
          { value: 80, color: 'red' },
        ],
      },
    }),
  ]);
}
