import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, Notification, ReactWidget } from '@jupyterlab/apputils';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import React from 'react';

import { getVersion } from './api';
import {
  CatalogPanel,
  DEFAULT_SETTINGS,
  ICatalogSettings
} from './components/CatalogPanel';
import { IItemActions } from './components/ItemView';
import { ScenarioPanel } from './components/ScenarioPanel';
import { catalogIcon, scenarioIcon } from './icons';
import { DtolabRequestError } from './request';

const PLUGIN_ID = 'dtolab:plugin';

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

/**
 * What the item view's buttons do: code goes into the active notebook (below the active cell)
 * or into a new one; links go to the clipboard.
 */
function itemActions(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null
): IItemActions {
  const openNew = async (code: string) => {
    const panel: NotebookPanel = await app.commands.execute(
      'notebook:create-new',
      { kernelName: 'python3' }
    );
    await panel.context.ready;
    panel.content.activeCell?.model.sharedModel.setSource(code);
  };
  return {
    insert: code => {
      const panel = tracker?.currentWidget;
      if (!panel) {
        void openNew(code);
        return;
      }
      NotebookActions.insertBelow(panel.content);
      panel.content.activeCell?.model.sharedModel.setSource(code);
      app.shell.activateById(panel.id);
    },
    openNew: code => void openNew(code),
    copy: text => {
      Clipboard.copyToSystem(text);
      Notification.success('STAC link copied', { autoClose: 2000 });
    }
  };
}

function read(settings: ISettingRegistry.ISettings | null): ICatalogSettings {
  if (!settings) {
    return DEFAULT_SETTINGS;
  }
  return {
    ...DEFAULT_SETTINGS,
    ...(settings.composite as unknown as Partial<ICatalogSettings>)
  };
}

/** The catalog panel as a widget whose settings can change while it is shown. */
class CatalogWidget extends ReactWidget {
  private _settings = DEFAULT_SETTINGS;

  constructor(private readonly _actions: IItemActions) {
    super();
  }

  setSettings(settings: ICatalogSettings): void {
    this._settings = settings;
    this.update();
  }

  protected render(): JSX.Element {
    return React.createElement(CatalogPanel, {
      settings: this._settings,
      actions: this._actions
    });
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Ocean data catalog and what-if scenario panels for dtolab.',
  autoStart: true,
  requires: [ILabShell],
  optional: [INotebookTracker, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    tracker: INotebookTracker | null,
    registry: ISettingRegistry | null
  ) => {
    const catalog = new CatalogWidget(itemActions(app, tracker));
    catalog.id = 'dtolab-catalog';
    catalog.title.icon = catalogIcon;
    catalog.title.caption = 'Ocean data catalog';
    catalog.addClass('dtolab-Sidebar');
    shell.add(catalog, 'left', { rank: 300 });

    // Settings arrive after the panel exists; the panel re-renders when they change.
    if (registry) {
      void registry.load(PLUGIN_ID).then(
        settings => {
          catalog.setSettings(read(settings));
          settings.changed.connect(() => catalog.setSettings(read(settings)));
        },
        (reason: Error) =>
          Notification.warning(`dtolab settings not loaded: ${reason.message}`)
      );
    }

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
