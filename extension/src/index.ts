import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification, ReactWidget } from '@jupyterlab/apputils';
import React from 'react';

import { getVersion } from './api';
import { CatalogPanel } from './components/CatalogPanel';
import { ScenarioPanel } from './components/ScenarioPanel';
import { catalogIcon, scenarioIcon } from './icons';
import { DtolabRequestError } from './request';

/**
 * Tell the user how to fix a missing or mismatched server extension, instead of blank panels.
 */
async function handshake(): Promise<void> {
  try {
    await getVersion();
  } catch (error) {
    const missing = error instanceof DtolabRequestError && error.status === 404;
    Notification.error(
      missing
        ? 'The dtolab server extension is not running: install dtolab in the ' +
            "server's environment (pip install dtolab) and enable it " +
            '(jupyter server extension enable dtolab), then restart JupyterLab.'
        : `dtolab server extension: ${(error as Error).message}`,
      { autoClose: false }
    );
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'dtolab:plugin',
  description: 'Ocean data catalog and what-if scenario panels for dtolab.',
  autoStart: true,
  requires: [ILabShell],
  activate: (app: JupyterFrontEnd, shell: ILabShell) => {
    const catalog = ReactWidget.create(React.createElement(CatalogPanel));
    catalog.id = 'dtolab-catalog';
    catalog.title.icon = catalogIcon;
    catalog.title.caption = 'Ocean data catalog';
    catalog.addClass('dtolab-Sidebar');
    shell.add(catalog, 'left', { rank: 300 });

    const scenarios = ReactWidget.create(React.createElement(ScenarioPanel));
    scenarios.id = 'dtolab-scenarios';
    scenarios.title.icon = scenarioIcon;
    scenarios.title.caption = 'What-if scenarios';
    scenarios.addClass('dtolab-Sidebar');
    shell.add(scenarios, 'left', { rank: 301 });

    void handshake();
  }
};

export default plugin;
