import type { ReactNode } from 'react';
import { NavLink } from 'react-router';

export interface NavItem {
  to: string;
  label: string;
  icon: string;
  section: string;
}

export const NAV: NavItem[] = [
  { to: '/connections', label: 'Connections', icon: '⇄', section: 'Policy' },
  { to: '/access', label: 'Effective access', icon: '◎', section: 'Policy' },
  { to: '/simulator', label: 'Policy simulator', icon: '⚖', section: 'Policy' },
  { to: '/directory', label: 'Directory', icon: '☷', section: 'Identity' },
  { to: '/flows', label: 'Live flows', icon: '≋', section: 'Observe' },
  { to: '/audit', label: 'Audit log', icon: '☰', section: 'Observe' },
  { to: '/inspector', label: 'Token inspector', icon: '⌕', section: 'Tools' },
  { to: '/agent', label: 'Agent', icon: '▶', section: 'Tools' },
  { to: '/scorecard', label: 'AS scorecard', icon: '✓', section: 'Tools' },
  { to: '/add-server', label: 'Add a server', icon: '+', section: 'Tools' },
  { to: '/scenarios', label: 'Scenarios', icon: '◈', section: 'Demo' },
];

export interface LayoutProps {
  user: { username: string; name?: string };
  onSignOut: () => void;
  children: ReactNode;
}

/** The shell: sidebar navigation and the page area. */
export function Layout({ user, onSignOut, children }: LayoutProps) {
  const sections = [...new Set(NAV.map((n) => n.section))];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {/* The nav spans the whole page (its dark background reaches the bottom of any page); its content stays in view. */}
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-inner">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              XAA
            </span>
            <span className="brand-name">XAA Console</span>
          </div>
          {sections.map((section) => (
            <div key={section}>
              <div className="nav-section">{section}</div>
              {NAV.filter((n) => n.section === section).map((n) => (
                <NavLink key={n.to} to={n.to} title={n.label} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
                  <span className="nav-icon" aria-hidden="true">
                    {n.icon}
                  </span>
                  <span className="nav-label">{n.label}</span>
                </NavLink>
              ))}
            </div>
          ))}
          <div className="sidebar-foot">
            <div className="muted small signed-in">Signed in as</div>
            <div className="who" title={user.name ?? user.username}>
              {user.name ?? user.username}
            </div>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </div>
      </nav>
      <main className="main" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
