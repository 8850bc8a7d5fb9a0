// Placeholder renderer: the UI issue replaces this.
import { createRoot } from 'react-dom/client';

function App() {
  return (
    <main>
      <h1>Burrow</h1>
      <p>The user interface is being built.</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
