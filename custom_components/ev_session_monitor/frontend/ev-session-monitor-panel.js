var Z=globalThis,V=Z.ShadowRoot&&(Z.ShadyCSS===void 0||Z.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,rt=Symbol(),St=new WeakMap,O=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==rt)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(V&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=St.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&St.set(e,t))}return t}toString(){return this.cssText}},Et=i=>new O(typeof i=="string"?i:i+"",void 0,rt),$=(i,...t)=>{let e=i.length===1?i[0]:t.reduce((s,r,a)=>s+(d=>{if(d._$cssResult$===!0)return d.cssText;if(typeof d=="number")return d;throw Error("Value passed to 'css' function must be a 'css' function result: "+d+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(r)+i[a+1],i[0]);return new O(e,i,rt)},kt=(i,t)=>{if(V)i.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),r=Z.litNonce;r!==void 0&&s.setAttribute("nonce",r),s.textContent=e.cssText,i.appendChild(s)}},it=V?i=>i:i=>i instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return Et(e)})(i):i;var{is:te,defineProperty:ee,getOwnPropertyDescriptor:se,getOwnPropertyNames:re,getOwnPropertySymbols:ie,getPrototypeOf:ne}=Object,J=globalThis,Ct=J.trustedTypes,ae=Ct?Ct.emptyScript:"",oe=J.reactiveElementPolyfillSupport,D=(i,t)=>i,nt={toAttribute(i,t){switch(t){case Boolean:i=i?ae:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,t){let e=i;switch(t){case Boolean:e=i!==null;break;case Number:e=i===null?null:Number(i);break;case Object:case Array:try{e=JSON.parse(i)}catch{e=null}}return e}},Pt=(i,t)=>!te(i,t),Tt={attribute:!0,type:String,converter:nt,reflect:!1,useDefault:!1,hasChanged:Pt};Symbol.metadata??=Symbol("metadata"),J.litPropertyMetadata??=new WeakMap;var A=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=Tt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),r=this.getPropertyDescriptor(t,s,e);r!==void 0&&ee(this.prototype,t,r)}}static getPropertyDescriptor(t,e,s){let{get:r,set:a}=se(this.prototype,t)??{get(){return this[e]},set(d){this[e]=d}};return{get:r,set(d){let p=r?.call(this);a?.call(this,d),this.requestUpdate(t,p,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??Tt}static _$Ei(){if(this.hasOwnProperty(D("elementProperties")))return;let t=ne(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(D("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(D("properties"))){let e=this.properties,s=[...re(e),...ie(e)];for(let r of s)this.createProperty(r,e[r])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,r]of e)this.elementProperties.set(s,r)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let r=this._$Eu(e,s);r!==void 0&&this._$Eh.set(r,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let r of s)e.unshift(it(r))}else t!==void 0&&e.push(it(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return kt(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),r=this.constructor._$Eu(t,s);if(r!==void 0&&s.reflect===!0){let a=(s.converter?.toAttribute!==void 0?s.converter:nt).toAttribute(e,s.type);this._$Em=t,a==null?this.removeAttribute(r):this.setAttribute(r,a),this._$Em=null}}_$AK(t,e){let s=this.constructor,r=s._$Eh.get(t);if(r!==void 0&&this._$Em!==r){let a=s.getPropertyOptions(r),d=typeof a.converter=="function"?{fromAttribute:a.converter}:a.converter?.fromAttribute!==void 0?a.converter:nt;this._$Em=r;let p=d.fromAttribute(e,a.type);this[r]=p??this._$Ej?.get(r)??p,this._$Em=null}}requestUpdate(t,e,s,r=!1,a){if(t!==void 0){let d=this.constructor;if(r===!1&&(a=this[t]),s??=d.getPropertyOptions(t),!((s.hasChanged??Pt)(a,e)||s.useDefault&&s.reflect&&a===this._$Ej?.get(t)&&!this.hasAttribute(d._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:r,wrapped:a},d){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,d??e??this[t]),a!==!0||d!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),r===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[r,a]of this._$Ep)this[r]=a;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[r,a]of s){let{wrapped:d}=a,p=this[r];d!==!0||this._$AL.has(r)||p===void 0||this.C(r,void 0,a,p)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};A.elementStyles=[],A.shadowRootOptions={mode:"open"},A[D("elementProperties")]=new Map,A[D("finalized")]=new Map,oe?.({ReactiveElement:A}),(J.reactiveElementVersions??=[]).push("2.1.2");var pt=globalThis,Ut=i=>i,G=pt.trustedTypes,Ht=G?G.createPolicy("lit-html",{createHTML:i=>i}):void 0,Dt="$lit$",k=`lit$${Math.random().toFixed(9).slice(2)}$`,It="?"+k,de=`<${It}>`,H=document,z=()=>H.createComment(""),W=i=>i===null||typeof i!="object"&&typeof i!="function",ut=Array.isArray,le=i=>ut(i)||typeof i?.[Symbol.iterator]=="function",at=`[ 	
\f\r]`,I=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Mt=/-->/g,Nt=/>/g,P=RegExp(`>|${at}(?:([^\\s"'>=/]+)(${at}*=${at}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Rt=/'/g,Lt=/"/g,zt=/^(?:script|style|textarea|title)$/i,mt=i=>(t,...e)=>({_$litType$:i,strings:t,values:e}),o=mt(1),gt=mt(2),be=mt(3),M=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),Ot=new WeakMap,U=H.createTreeWalker(H,129);function Wt(i,t){if(!ut(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return Ht!==void 0?Ht.createHTML(t):t}var ce=(i,t)=>{let e=i.length-1,s=[],r,a=t===2?"<svg>":t===3?"<math>":"",d=I;for(let p=0;p<e;p++){let l=i[p],m,u,h=-1,f=0;for(;f<l.length&&(d.lastIndex=f,u=d.exec(l),u!==null);)f=d.lastIndex,d===I?u[1]==="!--"?d=Mt:u[1]!==void 0?d=Nt:u[2]!==void 0?(zt.test(u[2])&&(r=RegExp("</"+u[2],"g")),d=P):u[3]!==void 0&&(d=P):d===P?u[0]===">"?(d=r??I,h=-1):u[1]===void 0?h=-2:(h=d.lastIndex-u[2].length,m=u[1],d=u[3]===void 0?P:u[3]==='"'?Lt:Rt):d===Lt||d===Rt?d=P:d===Mt||d===Nt?d=I:(d=P,r=void 0);let _=d===P&&i[p+1].startsWith("/>")?" ":"";a+=d===I?l+de:h>=0?(s.push(m),l.slice(0,h)+Dt+l.slice(h)+k+_):l+k+(h===-2?p:_)}return[Wt(i,a+(i[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},F=class i{constructor({strings:t,_$litType$:e},s){let r;this.parts=[];let a=0,d=0,p=t.length-1,l=this.parts,[m,u]=ce(t,e);if(this.el=i.createElement(m,s),U.currentNode=this.el.content,e===2||e===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(r=U.nextNode())!==null&&l.length<p;){if(r.nodeType===1){if(r.hasAttributes())for(let h of r.getAttributeNames())if(h.endsWith(Dt)){let f=u[d++],_=r.getAttribute(h).split(k),T=/([.?@])?(.*)/.exec(f);l.push({type:1,index:a,name:T[2],strings:_,ctor:T[1]==="."?dt:T[1]==="?"?lt:T[1]==="@"?ct:L}),r.removeAttribute(h)}else h.startsWith(k)&&(l.push({type:6,index:a}),r.removeAttribute(h));if(zt.test(r.tagName)){let h=r.textContent.split(k),f=h.length-1;if(f>0){r.textContent=G?G.emptyScript:"";for(let _=0;_<f;_++)r.append(h[_],z()),U.nextNode(),l.push({type:2,index:++a});r.append(h[f],z())}}}else if(r.nodeType===8)if(r.data===It)l.push({type:2,index:a});else{let h=-1;for(;(h=r.data.indexOf(k,h+1))!==-1;)l.push({type:7,index:a}),h+=k.length-1}a++}}static createElement(t,e){let s=H.createElement("template");return s.innerHTML=t,s}};function R(i,t,e=i,s){if(t===M)return t;let r=s!==void 0?e._$Co?.[s]:e._$Cl,a=W(t)?void 0:t._$litDirective$;return r?.constructor!==a&&(r?._$AO?.(!1),a===void 0?r=void 0:(r=new a(i),r._$AT(i,e,s)),s!==void 0?(e._$Co??=[])[s]=r:e._$Cl=r),r!==void 0&&(t=R(i,r._$AS(i,t.values),r,s)),t}var ot=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,r=(t?.creationScope??H).importNode(e,!0);U.currentNode=r;let a=U.nextNode(),d=0,p=0,l=s[0];for(;l!==void 0;){if(d===l.index){let m;l.type===2?m=new j(a,a.nextSibling,this,t):l.type===1?m=new l.ctor(a,l.name,l.strings,this,t):l.type===6&&(m=new ht(a,this,t)),this._$AV.push(m),l=s[++p]}d!==l?.index&&(a=U.nextNode(),d++)}return U.currentNode=H,r}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},j=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,r){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=R(this,t,e),W(t)?t===c||t==null||t===""?(this._$AH!==c&&this._$AR(),this._$AH=c):t!==this._$AH&&t!==M&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):le(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==c&&W(this._$AH)?this._$AA.nextSibling.data=t:this.T(H.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,r=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=F.createElement(Wt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===r)this._$AH.p(e);else{let a=new ot(r,this),d=a.u(this.options);a.p(e),this.T(d),this._$AH=a}}_$AC(t){let e=Ot.get(t.strings);return e===void 0&&Ot.set(t.strings,e=new F(t)),e}k(t){ut(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,r=0;for(let a of t)r===e.length?e.push(s=new i(this.O(z()),this.O(z()),this,this.options)):s=e[r],s._$AI(a),r++;r<e.length&&(this._$AR(s&&s._$AB.nextSibling,r),e.length=r)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=Ut(t).nextSibling;Ut(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},L=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,r,a){this.type=1,this._$AH=c,this._$AN=void 0,this.element=t,this.name=e,this._$AM=r,this.options=a,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=c}_$AI(t,e=this,s,r){let a=this.strings,d=!1;if(a===void 0)t=R(this,t,e,0),d=!W(t)||t!==this._$AH&&t!==M,d&&(this._$AH=t);else{let p=t,l,m;for(t=a[0],l=0;l<a.length-1;l++)m=R(this,p[s+l],e,l),m===M&&(m=this._$AH[l]),d||=!W(m)||m!==this._$AH[l],m===c?t=c:t!==c&&(t+=(m??"")+a[l+1]),this._$AH[l]=m}d&&!r&&this.j(t)}j(t){t===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},dt=class extends L{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===c?void 0:t}},lt=class extends L{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==c)}},ct=class extends L{constructor(t,e,s,r,a){super(t,e,s,r,a),this.type=5}_$AI(t,e=this){if((t=R(this,t,e,0)??c)===M)return;let s=this._$AH,r=t===c&&s!==c||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,a=t!==c&&(s===c||r);r&&this.element.removeEventListener(this.name,this,s),a&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},ht=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){R(this,t)}};var he=pt.litHtmlPolyfillSupport;he?.(F,j),(pt.litHtmlVersions??=[]).push("3.3.3");var Ft=(i,t,e)=>{let s=e?.renderBefore??t,r=s._$litPart$;if(r===void 0){let a=e?.renderBefore??null;s._$litPart$=r=new j(t.insertBefore(z(),a),a,void 0,e??{})}return r._$AI(i),r};var ft=globalThis,g=class extends A{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Ft(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return M}};g._$litElement$=!0,g.finalized=!0,ft.litElementHydrateSupport?.({LitElement:g});var pe=ft.litElementPolyfillSupport;pe?.({LitElement:g});(ft.litElementVersions??=[]).push("4.2.2");function Y(i){return i.locale?.language??i.language??navigator.language}function C(i,t){return t==null?"—":new Intl.NumberFormat(Y(i),{minimumFractionDigits:2,maximumFractionDigits:2}).format(t/1e3)}function K(i,t){return t==null?"—":`${new Intl.NumberFormat(Y(i),{maximumFractionDigits:1}).format(t/1e3)} kW`}function S(i,t,e){if(t===null)return"—";try{return new Intl.NumberFormat(Y(i),{style:"currency",currency:e||"EUR"}).format(t)}catch{return`${t.toFixed(2)} ${e??""}`.trim()}}function jt(i){return i.config?.time_zone||void 0}function w(i,t){return t?new Intl.DateTimeFormat(Y(i),{dateStyle:"short",timeStyle:"short",timeZone:jt(i)}).format(new Date(t)):"—"}function E(i){if(i==null)return"—";let t=Math.max(0,Math.round(i/60)),e=Math.floor(t/60),s=t%60;return`${e}:${String(s).padStart(2,"0")} h`}function Kt(i,t=new Date){let e=new Intl.DateTimeFormat("en-CA",{timeZone:jt(i),year:"numeric",month:"2-digit",day:"2-digit"}).formatToParts(t),s=r=>e.find(a=>a.type===r)?.value??"";return`${s("year")}-${s("month")}-${s("day")}`}function ue(i,t){let e=new Date(`${i}T00:00:00Z`);return e.setUTCDate(e.getUTCDate()+t),e.toISOString().slice(0,10)}function Bt(i,t=0){let e=new Date(`${i.slice(0,7)}-01T00:00:00Z`);return e.setUTCMonth(e.getUTCMonth()+t),e.toISOString().slice(0,10)}function B(i){return`${i}T00:00:00`}function qt(i){return B(ue(i,1))}function b(i){return i&&typeof i=="object"&&"message"in i?String(i.message):String(i)}var v=$`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, sans-serif));
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: 1px solid var(--divider-color, #e0e0e0);
    padding: 16px;
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.1em;
    margin: 0 0 12px;
    font-weight: 500;
  }
  button {
    font: inherit;
    color: var(--text-primary-color, #fff);
    background: var(--primary-color);
    border: none;
    border-radius: 6px;
    padding: 8px 12px;
    cursor: pointer;
    min-height: 36px;
  }
  button.secondary {
    color: var(--primary-color);
    background: transparent;
    border: 1px solid var(--primary-color);
  }
  button.danger {
    background: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--secondary-background-color, #f5f5f5));
    border: 1px solid var(--divider-color, #ccc);
    border-radius: 6px;
    padding: 6px 8px;
    min-height: 36px;
    box-sizing: border-box;
    max-width: 100%;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: flex-end;
    margin-bottom: 12px;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9em;
  }
  th,
  td {
    text-align: left;
    padding: 8px 6px;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    white-space: nowrap;
  }
  th button.sort {
    background: none;
    color: inherit;
    padding: 0;
    min-height: 0;
    font-weight: 600;
  }
  td.num,
  th.num {
    text-align: right;
  }
  tr.row {
    cursor: pointer;
  }
  tr.row:hover {
    background: var(--secondary-background-color, #f5f5f5);
  }
  .error {
    color: var(--error-color, #db4437);
    margin: 8px 0;
  }
  .muted {
    color: var(--secondary-text-color);
  }
  .actions {
    display: flex;
    gap: 8px;
    flex-wrap: wrap;
    align-items: center;
  }
`;var Q={title:"Charging",tab_now:"Now",tab_sessions:"Sessions",tab_reports:"Reports",tab_cards:"Cards",menu:"Menu",loading:"Loading …",error:"Something went wrong: {message}",err_unauthorized:"You are not allowed to do this.",err_invalid_tag:"This is not a card id: 4 to 40 letters A–Z or digits (':', '-', '.' and spaces are ignored).",err_duplicate_tag:"This card is already known.",err_not_found:"Not found; it may have been removed meanwhile.",now_empty:"No wallbox is set up yet.",now_unavailable:"Not reachable",now_power:"Power",now_energy:"Session energy",now_cost:"Cost",now_duration:"Duration",now_time_to_full:"Time to full",now_who:"Charging",now_nobody:"—",now_no_session:"No session",now_enabled:"Charging allowed",now_current:"Current",now_set:"Set",now_start:"Allow charging",now_stop:"Stop charging",status_idle:"No vehicle",status_connected:"Connected",status_waiting_for_authorization:"Waiting for a card",status_charging:"Charging",status_suspended_ev:"Paused by the vehicle",status_suspended_charger:"Paused by the wallbox",status_finished:"Finished",status_error:"Error",status_unknown:"Unknown",filter_wallbox:"Wallbox",filter_tag:"Card",filter_person:"Person",filter_from:"From",filter_to:"To",filter_all:"All",col_start:"Start",col_end:"End",col_wallbox:"Wallbox",col_tag:"Card",col_energy:"Energy (kWh)",col_cost:"Cost",col_charging:"Charging time",col_sessions:"Sessions",col_month:"Month",sessions_empty:"No session matches.",sessions_range:"{from}–{to} of {total}",previous:"Previous",next:"Next",download_csv:"Download CSV",detail_title:"Session {id}",detail_energy_source:"Energy source",detail_gaps:"Polling gaps",detail_unpriced:"Energy without a price",detail_unseen:"Time no counter could measure",detail_estimated_end:"End estimated between {from} and {to}",detail_end_measured:"End measured",detail_avg_power:"Average power",detail_peak_power:"Peak power",detail_close:"Close",source_meter:"Lifetime meter",source_session_counter:"Session counter of the box",source_power:"Power × time (no counter)",source_mixed:"Mixed",reports_by_tag:"Per card and month",reports_by_wallbox:"Per wallbox and month",reports_chart:"Monthly energy and cost per card",reports_energy:"Energy",reports_cost:"Cost",reports_empty:"No session in this period.",untagged:"Without card",cards_known:"Known cards",cards_attempts:"Unknown cards presented",cards_id:"Card id",cards_name:"Name",cards_owner:"Owner",cards_price:"Price per kWh",cards_price_field:"Price ({currency}/kWh)",cards_wallboxes:"Allowed wallboxes (none: all)",cards_person:"Person who sees its sessions",cards_none:"No person",cards_add:"Add card",cards_save:"Save",cards_edit:"Change",cards_remove:"Remove",cards_cancel:"Cancel",cards_confirm_remove:"Remove the card {name}? Its past sessions keep their name.",cards_empty:"No card is known yet.",cards_attempts_empty:"No unknown card was presented.",cards_time:"Time",cards_admit:"Admit this card",cards_admitted:"Admitted",cards_pseudonym:"Hidden id (privacy option): present the card again with the option off to admit it",cards_attempt_count:"Attempts in window",cards_admin_only:"Only administrators can see and change the cards.",all_wallboxes:"All wallboxes"};function n(i,t={}){return Q[i].replace(/\{(\w+)\}/g,(e,s)=>s in t?String(t[s]):e)}function X(i,t){return i in Q?Q[i]:t}var _t=class extends g{static{this.properties={hass:{attribute:!1},admin:{type:Boolean},tiles:{state:!0},error:{state:!0},denied:{state:!0}}}connectedCallback(){super.connectedCallback(),this.unsubscribe=this.hass.connection.subscribeMessage(t=>{this.tiles=t.wallboxes},{type:"ev_session_monitor/wallboxes/subscribe"}),this.unsubscribe.catch(t=>this.error=b(t)),this.hass.callWS({type:"ev_session_monitor/permissions"}).then(t=>this.denied=new Set(t.controls_denied_entities??[])).catch(()=>this.denied=new Set)}disconnectedCallback(){super.disconnectedCallback(),this.unsubscribe?.then(t=>t()).catch(()=>{}),this.unsubscribe=void 0}async control(t,e){this.error=void 0;try{await this.hass.callWS({type:"ev_session_monitor/wallboxes/control",entry_id:t.entry_id,...e})}catch(s){this.error=b(s)}}controls(t){let e=r=>r&&!this.denied?.has(r.entity_id)?r:null,s={...t,enable:e(t.enable),current:e(t.current)};return!this.admin||!s.enable&&!s.current?c:o`<div class="controls">
      ${s.enable?o`<button
            class=${s.enable.on===!1?"":"secondary"}
            @click=${()=>this.control(s,{enabled:s.enable?.on===!1})}
          >
            ${s.enable.on===!1?n("now_start"):n("now_stop")}
          </button>`:c}
      ${s.current?o`<label class="current"
            >${n("now_current")} (${s.current.min}–${s.current.max} A)
            <span class="actions">
              <input
                type="number"
                min=${s.current.min}
                max=${s.current.max}
                step="1"
                .value=${String(s.current.value??s.current.max)}
                @change=${r=>this.control(s,{current_a:Number(r.target.value)})}
              />
              A
            </span>
          </label>`:c}
    </div>`}tile(t){let e=t.session,s=t.available?X(`status_${t.status??"unknown"}`,t.status??n("status_unknown")):n("now_unavailable");return o`<section class="card tile" data-entry=${t.entry_id}>
      <div class="head">
        <h2>${t.title}</h2>
        <span class="status status-${t.status??"unknown"}">${s}</span>
      </div>
      <dl>
        <dt>${n("now_power")}</dt>
        <dd class="power">${K(this.hass,t.power_w)}</dd>
        <dt>${n("now_who")}</dt>
        <dd class="who">${t.who??n("now_nobody")}</dd>
        <dt>${n("now_energy")}</dt>
        <dd>${e?`${C(this.hass,e.energy_wh)} kWh`:n("now_no_session")}</dd>
        <dt>${n("now_cost")}</dt>
        <dd>${e?S(this.hass,e.cost,e.currency):"—"}</dd>
        <dt>${n("now_duration")}</dt>
        <dd title=${e?w(this.hass,e.started_at):""}>
          ${e?E(e.duration_s):"—"}
        </dd>
        <dt>${n("now_time_to_full")}</dt>
        <dd>${E(t.time_to_full_s)}</dd>
      </dl>
      ${this.controls(t)}
    </section>`}render(){return this.error?o`<p class="error">${n("error",{message:this.error})}</p>`:this.tiles?this.tiles.length?o`<div class="grid">${this.tiles.map(t=>this.tile(t))}</div>`:o`<p class="muted">${n("now_empty")}</p>`:o`<p class="muted">${n("loading")}</p>`}static{this.styles=[v,$`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
        gap: 16px;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 8px;
      }
      .status {
        font-size: 0.85em;
        padding: 2px 8px;
        border-radius: 10px;
        background: var(--secondary-background-color, #eee);
      }
      .status-charging {
        background: var(--success-color, #43a047);
        color: var(--text-primary-color, #fff);
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
        margin: 8px 0 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        align-items: flex-end;
        justify-content: space-between;
      }
      .current input {
        width: 80px;
      }
    `]}};customElements.define("ev-now-view",_t);function tt(i){let t=new URLSearchParams;for(let e of i.config_entry_id??[])t.append("config_entry_id",e);for(let e of i.tag_id??[])t.append("tag_id",e);return i.person&&t.set("person",i.person),i.start&&t.set("start",i.start),i.end&&t.set("end",i.end),t}async function et(i,t,e){let s=await fetch(`/api/ev_session_monitor/download/${t}?${e}`,{headers:{Authorization:`Bearer ${i.auth.data.access_token}`}});if(!s.ok){let l=await s.json().catch(()=>({message:s.statusText}));throw new Error(l.message??s.statusText)}let r=s.headers.get("Content-Disposition")??"",a=/filename="([^"]+)"/.exec(r)?.[1]??`ev-${t}.csv`,d=URL.createObjectURL(await s.blob()),p=document.createElement("a");p.href=d,p.download=a,document.body.append(p),p.click(),p.remove(),setTimeout(()=>URL.revokeObjectURL(d),1e4)}var $t=class extends g{constructor(){super();this.wallbox="";this.tag="";this.person="";this.from="",this.to=""}static{this.properties={info:{attribute:!1},from:{type:String},to:{type:String}}}get filters(){let e={};return this.wallbox&&(e.config_entry_id=[this.wallbox]),this.tag&&(e.tag_id=[this.tag]),this.person&&(e.person=this.person),this.from&&(e.start=B(this.from)),this.to&&(e.end=qt(this.to)),e}changed(e,s){this[e]=s.target.value,this.dispatchEvent(new CustomEvent("filters-changed",{detail:this.filters}))}render(){let e=this.info;return o`<div class="filters">
      <label
        >${n("filter_wallbox")}
        <select name="wallbox" @change=${s=>this.changed("wallbox",s)}>
          <option value="">${n("filter_all")}</option>
          ${e.wallboxes.map(s=>o`<option value=${s.entry_id}>${s.title}</option>`)}
        </select>
      </label>
      <label
        >${n("filter_tag")}
        <select name="tag" @change=${s=>this.changed("tag",s)}>
          <option value="">${n("filter_all")}</option>
          ${e.tags.map(s=>o`<option value=${s.tag_id}>${s.name}</option>`)}
        </select>
      </label>
      ${e.admin&&e.persons.length?o`<label
            >${n("filter_person")}
            <select name="person" @change=${s=>this.changed("person",s)}>
              <option value="">${n("filter_all")}</option>
              ${e.persons.map(s=>o`<option value=${s.entity_id}>${s.name}</option>`)}
            </select>
          </label>`:c}
      <label
        >${n("filter_from")}
        <input
          type="date"
          name="from"
          .value=${this.from}
          @change=${s=>this.changed("from",s)}
        />
      </label>
      <label
        >${n("filter_to")}
        <input type="date" name="to" .value=${this.to} @change=${s=>this.changed("to",s)} />
      </label>
      <slot></slot>
    </div>`}static{this.styles=[v]}};customElements.define("ev-filter-bar",$t);var bt=50,yt=class extends g{constructor(){super();this.filters={};this.request=0;this.total=0,this.offset=0,this.sort="started_at",this.descending=!0}static{this.properties={hass:{attribute:!1},info:{attribute:!1},sessions:{state:!0},total:{state:!0},offset:{state:!0},sort:{state:!0},descending:{state:!0},selected:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.load()}async load(){let e=++this.request;this.error=void 0;try{let s=await this.hass.callWS({type:"ev_session_monitor/sessions",...this.filters,offset:this.offset,limit:bt,sort:this.sort,descending:this.descending});if(e!==this.request)return;this.sessions=s.sessions,this.total=s.total}catch(s){this.error=b(s)}}filtersChanged(e){this.filters=e.detail,this.offset=0,this.load()}sortBy(e){this.descending=this.sort===e?!this.descending:e==="started_at",this.sort=e,this.offset=0,this.load()}page(e){this.offset=Math.max(0,this.offset+e*bt),this.load()}async download(){let e=tt(this.filters);e.set("sort",this.sort),e.set("descending",String(this.descending));try{await et(this.hass,"sessions",e)}catch(s){this.error=b(s)}}header(e,s,r=!1){let a=this.sort===e?this.descending?" ▼":" ▲":"";return o`<th class=${r?"num":""}>
      <button class="sort" data-sort=${e} @click=${()=>this.sortBy(e)}>
        ${n(s)}${a}
      </button>
    </th>`}detail(e){let s=e.end_latest?n("detail_estimated_end",{from:w(this.hass,e.ended_at),to:w(this.hass,e.end_latest)}):n("detail_end_measured");return o`<div class="overlay" @click=${()=>this.selected=void 0}>
      <section class="card detail" @click=${r=>r.stopPropagation()}>
        <h2>${n("detail_title",{id:e.session_id.slice(0,8)})}</h2>
        <dl>
          <dt>${n("col_wallbox")}</dt>
          <dd>${e.charger_name}</dd>
          <dt>${n("col_tag")}</dt>
          <dd>${e.tag_name??e.tag_id??n("untagged")}</dd>
          <dt>${n("col_start")}</dt>
          <dd>${w(this.hass,e.started_at)}</dd>
          <dt>${n("col_end")}</dt>
          <dd>${w(this.hass,e.ended_at)}</dd>
          <dt></dt>
          <dd class="estimated">${s}</dd>
          <dt>${n("col_energy")}</dt>
          <dd>${C(this.hass,e.energy_wh)}</dd>
          <dt>${n("col_cost")}</dt>
          <dd>${S(this.hass,e.cost,e.currency)}</dd>
          <dt>${n("col_charging")}</dt>
          <dd>${E(e.charging_s)}</dd>
          <dt>${n("detail_avg_power")}</dt>
          <dd>${K(this.hass,e.avg_power_w)}</dd>
          <dt>${n("detail_peak_power")}</dt>
          <dd>${K(this.hass,e.peak_power_w)}</dd>
          <dt>${n("detail_energy_source")}</dt>
          <dd class="source">
            ${X(`source_${e.energy_source}`,e.energy_source)}
          </dd>
          <dt>${n("detail_gaps")}</dt>
          <dd class="gaps">${e.gaps}</dd>
          <dt>${n("detail_unpriced")}</dt>
          <dd class="unpriced">${C(this.hass,e.unpriced_wh)}</dd>
          <dt>${n("detail_unseen")}</dt>
          <dd class="unseen">${E(e.unseen_s)}</dd>
        </dl>
        <button @click=${()=>this.selected=void 0}>${n("detail_close")}</button>
      </section>
    </div>`}render(){let e=this.sessions,s=Math.min(this.offset+bt,this.total);return o`
      <ev-filter-bar .info=${this.info} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${this.download}>${n("download_csv")}</button>
      </ev-filter-bar>
      ${this.error?o`<p class="error">${n("error",{message:this.error})}</p>`:c}
      ${e===void 0?o`<p class="muted">${n("loading")}</p>`:o`<div class="card table-wrap">
              <table>
                <thead>
                  <tr>
                    ${this.header("started_at","col_start")}
                    ${this.header("charger_name","col_wallbox")} ${this.header("tag_name","col_tag")}
                    ${this.header("energy_wh","col_energy",!0)}
                    ${this.header("cost","col_cost",!0)}
                    ${this.header("charging_s","col_charging",!0)}
                  </tr>
                </thead>
                <tbody>
                  ${e.map(r=>o`<tr class="row" data-id=${r.session_id} @click=${()=>this.selected=r}>
                      <td>${w(this.hass,r.started_at)}</td>
                      <td>${r.charger_name}</td>
                      <td>${r.tag_name??r.tag_id??n("untagged")}</td>
                      <td class="num">${C(this.hass,r.energy_wh)}</td>
                      <td class="num">${S(this.hass,r.cost,r.currency)}</td>
                      <td class="num">${E(r.charging_s)}</td>
                    </tr>`)}
                </tbody>
              </table>
              ${e.length?c:o`<p class="muted">${n("sessions_empty")}</p>`}
            </div>
            <div class="pager actions">
              <button class="secondary" ?disabled=${this.offset===0} @click=${()=>this.page(-1)}>
                ${n("previous")}
              </button>
              <span class="range"
                >${n("sessions_range",{from:this.total?this.offset+1:0,to:s,total:this.total})}</span
              >
              <button class="secondary" ?disabled=${s>=this.total} @click=${()=>this.page(1)}>
                ${n("next")}
              </button>
            </div>`}
      ${this.selected?this.detail(this.selected):c}
    `}static{this.styles=[v,$`
      .pager {
        margin-top: 12px;
        justify-content: center;
      }
      .overlay {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.4);
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
        padding: 16px;
      }
      .detail {
        max-width: 480px;
        width: 100%;
        max-height: 90vh;
        overflow: auto;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
      }
    `]}};customElements.define("ev-sessions-view",yt);var st=["#03a9f4","#ff9800","#8bc34a","#e91e63","#9c27b0","#009688","#795548","#607d8b"],vt=class extends g{static{this.properties={hass:{attribute:!1},info:{attribute:!1},totals:{state:!0},error:{state:!0}}}constructor(){super(),this.from="",this.filters={}}connectedCallback(){super.connectedCallback(),this.from||(this.from=Bt(Kt(this.hass),-11),this.filters={start:B(this.from)}),this.load()}async load(){this.error=void 0;try{this.totals=await this.hass.callWS({type:"ev_session_monitor/totals",...this.filters})}catch(t){this.error=b(t)}}filtersChanged(t){this.filters=t.detail,this.load()}async download(){try{await et(this.hass,"totals",tt(this.filters))}catch(t){this.error=b(t)}}tagLabel(t){return t.tag_name??t.tag_id??n("untagged")}chart(t,e,s,r){let a=[...new Set(e.map(y=>y.month))].sort(),d=[...new Set(e.map(y=>this.tagLabel(y)))],p=a.map(y=>e.filter(x=>x.month===y).reduce((x,q)=>x+s(q),0)),l=Math.max(...p,0)||1,m=600,u=200,h=44,f=22,_=(m-h)/Math.max(a.length,1),T=Math.min(_*.7,48),Gt=(u-f-8)/l,Yt=a.flatMap((y,x)=>{let q=u-f;return e.filter(N=>N.month===y).map(N=>{let At=s(N)*Gt;q-=At;let Xt=st[d.indexOf(this.tagLabel(N))%st.length];return gt`<rect x=${h+x*_+(_-T)/2} y=${q} width=${T}
            height=${Math.max(At,0)} fill=${Xt}><title>${this.tagLabel(N)} ${y}: ${s(N).toFixed(2)} ${r}</title></rect>`})}),Qt=a.map((y,x)=>gt`<text x=${h+x*_+_/2} y=${u-6}
        text-anchor="middle" class="axis">${y.slice(2)}</text>`);return o`<figure class="card chart">
      <figcaption>${t} (${r})</figcaption>
      <svg viewBox="0 0 ${m} ${u}" role="img" aria-label=${t}>
        <line x1=${h} x2=${m} y1=${u-f} y2=${u-f} class="grid" />
        <text x=${h-6} y="14" text-anchor="end" class="axis">${l.toFixed(l<10?1:0)}</text>
        <text x=${h-6} y=${u-f} text-anchor="end" class="axis">0</text>
        ${Yt} ${Qt}
      </svg>
      <div class="legend">
        ${d.map((y,x)=>o`<span><i style="background:${st[x%st.length]}"></i>${y}</span>`)}
      </div>
    </figure>`}table(t,e,s){return o`<section class="card table-wrap">
      <h2>${t}</h2>
      <table>
        <thead>
          <tr>
            <th>${n("col_month")}</th>
            <th>${n("col_tag")} / ${n("col_wallbox")}</th>
            <th class="num">${n("col_sessions")}</th>
            <th class="num">${n("col_energy")}</th>
            <th class="num">${n("col_charging")}</th>
            <th class="num">${n("col_cost")}</th>
          </tr>
        </thead>
        <tbody>
          ${e.map(r=>o`<tr>
              <td>${r.month}</td>
              <td>${s(r)}</td>
              <td class="num">${r.sessions}</td>
              <td class="num">${C(this.hass,r.energy_wh)}</td>
              <td class="num">${E(r.charging_s)}</td>
              <td class="num">${S(this.hass,r.cost,r.currency)}</td>
            </tr>`)}
        </tbody>
      </table>
    </section>`}render(){let t=this.totals;return o`
      <ev-filter-bar .info=${this.info} from=${this.from} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${this.download}>${n("download_csv")}</button>
      </ev-filter-bar>
      ${this.error?o`<p class="error">${n("error",{message:this.error})}</p>`:c}
      ${t===void 0?o`<p class="muted">${n("loading")}</p>`:t.by_tag.length===0?o`<p class="muted">${n("reports_empty")}</p>`:o`<div class="charts">
                ${this.chart(`${n("reports_chart")} · ${n("reports_energy")}`,t.by_tag,e=>e.energy_wh/1e3,"kWh")}
                ${this.chart(`${n("reports_chart")} · ${n("reports_cost")}`,t.by_tag,e=>e.cost??0,t.by_tag.find(e=>e.currency)?.currency??this.info.currency)}
              </div>
              ${this.table(n("reports_by_tag"),t.by_tag,e=>this.tagLabel(e))}
              ${this.table(n("reports_by_wallbox"),t.by_charger,e=>e.charger_name)}`}
    `}static{this.styles=[v,$`
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
        gap: 16px;
        margin-bottom: 16px;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 500;
        margin-bottom: 8px;
      }
      svg {
        width: 100%;
        height: auto;
      }
      .axis {
        font-size: 11px;
        fill: var(--secondary-text-color);
      }
      .grid {
        stroke: var(--divider-color, #ccc);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: 0.85em;
      }
      .legend i {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 2px;
        margin-right: 4px;
      }
      section + section {
        margin-top: 16px;
      }
    `]}};customElements.define("ev-reports-view",vt);var Zt={invalid_tag:"err_invalid_tag",duplicate_tag:"err_duplicate_tag",unauthorized:"err_unauthorized",not_found:"err_not_found"};function Vt(i){let t=i&&typeof i=="object"&&"code"in i?String(i.code):"";return t in Zt?n(Zt[t]):n("error",{message:b(i)})}var wt=class extends g{static{this.properties={hass:{attribute:!1},info:{attribute:!1},tags:{state:!0},attempts:{state:!0},editing:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.info.admin&&this.load()}async load(){try{let[t,e]=await Promise.all([this.hass.callWS({type:"ev_session_monitor/tags"}),this.hass.callWS({type:"ev_session_monitor/attempts"})]);this.tags=t.tags,this.attempts=e.attempts}catch(t){this.error=Vt(t)}}async run(t){this.error=void 0;try{await this.hass.callWS(t)}catch(e){return this.error=Vt(e),!1}return await this.load(),this.dispatchEvent(new CustomEvent("tags-changed",{bubbles:!0,composed:!0})),!0}async save(t){t.preventDefault();let e=new FormData(t.target),s=String(e.get("price_per_kwh")??"").trim(),r=this.editing==="new",a={type:r?"ev_session_monitor/tags/add":"ev_session_monitor/tags/update",tag_id:r?String(e.get("tag_id")??""):this.editing.tag_id,name:String(e.get("name")??""),owner:String(e.get("owner")??"")||null,price_per_kwh:s===""?null:Number(s.replace(",",".")),chargers:e.getAll("chargers").map(String),person:String(e.get("person")??"")||null};await this.run(a)&&(this.editing=void 0)}async removeTag(t){confirm(n("cards_confirm_remove",{name:t.name}))&&await this.run({type:"ev_session_monitor/tags/remove",tag_id:t.tag_id})}form(t){return o`<form class="card edit" @submit=${this.save}>
      ${t?o`<h2>${t.name} <span class="muted">${t.tag_id}</span></h2>`:o`<label>${n("cards_id")}<input name="tag_id" required autocomplete="off" /></label>`}
      <label>${n("cards_name")}<input name="name" required .value=${t?.name??""} /></label>
      <label>${n("cards_owner")}<input name="owner" .value=${t?.owner??""} /></label>
      <label
        >${n("cards_price_field",{currency:this.info.currency})}
        <input name="price_per_kwh" inputmode="decimal" .value=${t?.price_per_kwh?.toString()??""} />
      </label>
      <fieldset>
        <legend>${n("cards_wallboxes")}</legend>
        ${this.info.wallboxes.map(e=>o`<label class="check"
            ><input
              type="checkbox"
              name="chargers"
              value=${e.charger_id}
              .checked=${t?.chargers.includes(e.charger_id)??!1}
            />${e.title}</label
          >`)}
      </fieldset>
      <label
        >${n("cards_person")}
        <select name="person">
          <option value="">${n("cards_none")}</option>
          ${this.info.persons.map(e=>o`<option value=${e.entity_id} ?selected=${t?.person===e.entity_id}>
              ${e.name}
            </option>`)}
        </select>
      </label>
      <div class="actions">
        <button type="submit">${n("cards_save")}</button>
        <button type="button" class="secondary" @click=${()=>this.editing=void 0}>
          ${n("cards_cancel")}
        </button>
      </div>
    </form>`}person(t){return this.info.persons.find(e=>e.entity_id===t)?.name??"—"}knownCards(t){return o`<section class="card table-wrap">
      <div class="actions head">
        <h2>${n("cards_known")}</h2>
        <button class="add" @click=${()=>this.editing="new"}>${n("cards_add")}</button>
      </div>
      ${t.length===0?o`<p class="muted">${n("cards_empty")}</p>`:o`<table>
            <thead>
              <tr>
                <th>${n("cards_name")}</th>
                <th>${n("cards_id")}</th>
                <th>${n("cards_owner")}</th>
                <th>${n("filter_person")}</th>
                <th class="num">${n("cards_price")}</th>
                <th>${n("filter_wallbox")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${t.map(e=>o`<tr data-tag=${e.tag_id}>
                  <td class="name" data-label=${n("cards_name")}>${e.name}</td>
                  <td data-label=${n("cards_id")}>${e.tag_id}</td>
                  <td data-label=${n("cards_owner")}>${e.owner??"—"}</td>
                  <td data-label=${n("filter_person")}>${this.person(e.person)}</td>
                  <td class="num" data-label=${n("cards_price")}>${S(this.hass,e.price_per_kwh,this.info.currency)}</td>
                  <td data-label=${n("filter_wallbox")}>
                    ${e.chargers.length?e.chargers.map(s=>this.info.wallboxes.find(r=>r.charger_id===s)?.title??s).join(", "):n("all_wallboxes")}
                  </td>
                  <td class="actions">
                    <button class="secondary edit" @click=${()=>this.editing=e}>
                      ${n("cards_edit")}
                    </button>
                    <button class="danger remove" @click=${()=>this.removeTag(e)}>
                      ${n("cards_remove")}
                    </button>
                  </td>
                </tr>`)}
            </tbody>
          </table>`}
    </section>`}attemptLog(t){return o`<section class="card table-wrap">
      <h2>${n("cards_attempts")}</h2>
      ${t.length===0?o`<p class="muted">${n("cards_attempts_empty")}</p>`:o`<table>
            <thead>
              <tr>
                <th>${n("cards_time")}</th>
                <th>${n("col_wallbox")}</th>
                <th>${n("cards_id")}</th>
                <th class="num">${n("cards_attempt_count")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${t.map(e=>o`<tr data-attempt=${e.tag_id??""}>
                  <td data-label=${n("cards_time")}>${w(this.hass,e.time)}</td>
                  <td data-label=${n("col_wallbox")}>${e.charger??"—"}</td>
                  <td data-label=${n("cards_id")}>${e.tag_id??"—"}</td>
                  <td class="num" data-label=${n("cards_attempt_count")}>${e.attempts??"—"}</td>
                  <td>
                    ${e.known?o`<span class="muted">${n("cards_admitted")}</span>`:e.tag_id?.startsWith("sha256:")?o`<span class="muted">${n("cards_pseudonym")}</span>`:o`<button
                            class="admit"
                            @click=${()=>this.run({type:"ev_session_monitor/attempts/admit",tag_id:e.tag_id})}
                          >
                            ${n("cards_admit")}
                          </button>`}
                  </td>
                </tr>`)}
            </tbody>
          </table>`}
    </section>`}render(){return this.info.admin?o`
      ${this.error?o`<p class="error">${this.error}</p>`:c}
      ${this.editing!==void 0?this.form(this.editing==="new"?void 0:this.editing):c}
      ${this.tags===void 0||this.attempts===void 0?o`<p class="muted">${n("loading")}</p>`:o`${this.knownCards(this.tags)} ${this.attemptLog(this.attempts)}`}
    `:o`<p class="muted">${n("cards_admin_only")}</p>`}static{this.styles=[v,$`
      section + section,
      form + section {
        margin-top: 16px;
      }
      .head {
        justify-content: space-between;
      }
      .head h2 {
        margin: 0;
      }
      form.edit {
        display: grid;
        gap: 12px;
        max-width: 480px;
      }
      fieldset {
        border: 1px solid var(--divider-color, #ccc);
        border-radius: 6px;
        display: flex;
        flex-wrap: wrap;
        gap: 8px 16px;
      }
      legend {
        font-size: 0.85em;
        color: var(--secondary-text-color);
      }
      label.check {
        flex-direction: row;
        align-items: center;
        color: var(--primary-text-color);
        font-size: 1em;
      }
      label.check input {
        min-height: 0;
      }
      /* On a phone each row becomes a block of labelled lines, so its buttons stay on screen. */
      @media (max-width: 600px) {
        table,
        tbody,
        tr,
        td {
          display: block;
        }
        thead {
          display: none;
        }
        tr {
          padding: 8px 0;
          border-bottom: 1px solid var(--divider-color, #e0e0e0);
        }
        td,
        td.num {
          border: none;
          padding: 2px 0;
          white-space: normal;
          overflow-wrap: anywhere;
          text-align: left;
        }
        td[data-label]::before {
          content: attr(data-label) ": ";
          color: var(--secondary-text-color);
        }
      }
    `]}};customElements.define("ev-cards-view",wt);var Jt=["now","sessions","reports","cards"],xt=class extends g{constructor(){super();this.loading=!1;this.narrow=!1;let e=new URLSearchParams(location.search).get("view");this.tab=e&&Jt.includes(e)?e:"now"}static{this.properties={hass:{attribute:!1},narrow:{type:Boolean},tab:{state:!0},info:{state:!0},error:{state:!0}}}willUpdate(){this.hass&&!this.info&&!this.loading&&this.loadInfo()}async loadInfo(){this.loading=!0;try{this.info=await this.hass.callWS({type:"ev_session_monitor/info"}),this.error=void 0}catch(e){this.error=b(e)}finally{this.loading=!1}}select(e){this.tab=e;let s=new URL(location.href);s.searchParams.set("view",e),history.replaceState(null,"",s)}toggleMenu(){this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}view(){let e=this.info;if(!e)return c;switch(this.tab){case"sessions":return o`<ev-sessions-view .hass=${this.hass} .info=${e}></ev-sessions-view>`;case"reports":return o`<ev-reports-view .hass=${this.hass} .info=${e}></ev-reports-view>`;case"cards":return o`<ev-cards-view
          .hass=${this.hass}
          .info=${e}
          @tags-changed=${()=>this.loadInfo()}
        ></ev-cards-view>`;default:return o`<ev-now-view .hass=${this.hass} ?admin=${e.admin}></ev-now-view>`}}render(){return o`
      <header class="toolbar">
        ${this.narrow?o`<button class="menu" aria-label=${n("menu")} @click=${this.toggleMenu}>☰</button>`:c}
        <h1>${n("title")}</h1>
      </header>
      <nav role="tablist">
        ${Jt.map(e=>o`<button
            role="tab"
            class="tab ${e===this.tab?"active":""}"
            data-tab=${e}
            aria-selected=${e===this.tab}
            @click=${()=>this.select(e)}
          >
            ${n(`tab_${e}`)}
          </button>`)}
      </nav>
      <main>
        ${this.error?o`<p class="error">${n("error",{message:this.error})}</p>`:c}
        ${this.info?this.view():o`<p class="muted">${n("loading")}</p>`}
      </main>
    `}static{this.styles=[v,$`
      :host {
        background: var(--primary-background-color);
        min-height: 100vh;
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        box-sizing: border-box;
      }
      h1 {
        font-size: 20px;
        font-weight: 400;
        margin: 0;
      }
      .menu {
        background: none;
        color: inherit;
        font-size: 22px;
        padding: 4px 8px;
      }
      nav {
        display: flex;
        overflow-x: auto;
        background: var(--app-header-background-color, var(--primary-color));
        padding: 0 8px;
      }
      .tab {
        background: none;
        border-radius: 0;
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.75;
        border-bottom: 2px solid transparent;
        padding: 10px 16px;
      }
      .tab.active {
        opacity: 1;
        border-bottom-color: currentColor;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
        box-sizing: border-box;
      }
      @media (max-width: 600px) {
        main {
          padding: 8px;
        }
        .tab {
          padding: 10px;
          flex: 1;
        }
      }
    `]}};customElements.define("ev-session-monitor-panel",xt);export{xt as EvSessionMonitorPanel};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
