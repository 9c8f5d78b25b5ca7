import './style.css';
import { App } from './ui/app';

const app = new App(document.getElementById('app')!);
// For debugging from the console and for the browser tests.
(window as unknown as { reel: App }).reel = app;
app.start();
