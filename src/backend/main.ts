/**
 * The backend executable (gpx_iotlab_anomaly_<os>_<arch>). Grafana launches it;
 * the runtime speaks the plugin protocol and asks the factory for one data
 * source instance per configured data source.
 */
import { createDataSource } from './handlers/dataSource';
import { serve } from './runtime';

export const PLUGIN_ID = 'iotlab-anomaly-datasource';

void serve({ pluginId: PLUGIN_ID, createInstance: createDataSource });
