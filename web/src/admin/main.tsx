import { render } from 'preact';
import '../styles.css';
import { Console } from './console';

render(<Console />, document.getElementById('app')!);
